import { type Expr, type Tensor, constant, key, evaluate, grad, input, mul, sum } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { batchNorm, type Ctx, flatten } from "../src/index.js";
import { type Stored, expectClose, fixture, fromStored } from "./torch.js";

interface Phase {
  input: Stored;
  G: Stored;
  output: Stored;
  input_grad: Stored;
  weight_grad: Stored;
  bias_grad: Stored;
  batch_mean?: Stored;
}
interface Entry {
  name: string;
  batch: number;
  num_features: number;
  state_dict_before: Record<string, Stored>;
  state_dict_after: Record<string, Stored>;
  train: Phase;
  eval: Phase;
}
const ref = fixture<{ entries: Entry[] }>("batchnorm1d.json");
const [RTOL, ATOL] = [1e-10, 1e-12];

/** Output, gradients of Σ(out·G) and new state of one batch-norm call. */
function run(e: Entry, phase: Phase, sd: Record<string, Stored>, mode: Ctx["mode"]) {
  const bn = batchNorm(e.num_features);
  const x = input("x", phase.input.shape, "f64");
  const weight = input("weight", [e.num_features], "f64");
  const bias = input("bias", [e.num_features], "f64");
  const state = {
    running_mean: constant(fromStored(sd.running_mean as Stored)),
    running_var: constant(fromStored(sd.running_var as Stored)),
    num_batches_tracked: constant(fromStored(sd.num_batches_tracked as Stored, "i32")),
  };
  const r = bn.call({ weight, bias }, state, x, { mode });
  const loss = sum(mul(r.y, constant(fromStored(phase.G))));
  const [dx, dw, db] = grad(loss, [x, weight, bias]);
  const outs: Expr[] = [r.y, dx as Expr, dw as Expr, db as Expr, r.state.running_mean as Expr, r.state.running_var as Expr, r.state.num_batches_tracked as Expr];
  const values = evaluate(outs, { x: fromStored(phase.input), weight: fromStored(sd.weight as Stored), bias: fromStored(sd.bias as Stored) }) as readonly Tensor[];
  return values;
}

describe("batchNorm matches nn.BatchNorm1d (float64)", () => {
  for (const e of ref.entries) {
    it(`${e.name}: train step`, () => {
      const [y, dx, dw, db, rm, rv, nbt] = run(e, e.train, e.state_dict_before, "train") as readonly Tensor[];
      expectClose(y as Tensor, e.train.output, RTOL, ATOL, "output");
      expectClose(dx as Tensor, e.train.input_grad, RTOL, ATOL, "input grad");
      expectClose(dw as Tensor, e.train.weight_grad, RTOL, ATOL, "weight grad");
      expectClose(db as Tensor, e.train.bias_grad, RTOL, ATOL, "bias grad");
      expectClose(rm as Tensor, e.state_dict_after.running_mean as Stored, RTOL, ATOL, "running_mean");
      expectClose(rv as Tensor, e.state_dict_after.running_var as Stored, RTOL, ATOL, "running_var");
      expect((nbt as Tensor).item()).toBe((e.state_dict_after.num_batches_tracked as Stored).data[0]);
    });
    it(`${e.name}: eval with the updated running statistics`, () => {
      const [y, dx, dw, db, rm] = run(e, e.eval, e.state_dict_after, "eval") as readonly Tensor[];
      expectClose(y as Tensor, e.eval.output, RTOL, ATOL, "output");
      expectClose(dx as Tensor, e.eval.input_grad, RTOL, ATOL, "input grad");
      expectClose(dw as Tensor, e.eval.weight_grad, RTOL, ATOL, "weight grad");
      expectClose(db as Tensor, e.eval.bias_grad, RTOL, ATOL, "bias grad");
      // Evaluation leaves the state as it was.
      expectClose(rm as Tensor, e.state_dict_after.running_mean as Stored, 0, 0, "running_mean");
    });
  }

  it("starts from PyTorch's defaults", () => {
    const defaults = fixture<{ batchnorm_defaults: Record<string, number> }>("init-stats.json").batchnorm_defaults;
    const bn = batchNorm(3);
    const all = { ...flatten(bn.init(key(0))), ...flatten(bn.initState()) };
    for (const name of ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
      expect(new Set((all[name] as Tensor).data), name).toEqual(new Set([defaults[name]]));
  });
});
