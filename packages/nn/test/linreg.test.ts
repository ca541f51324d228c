// The founding regression program (1-2-5-1 MLP, sigmoid, Adam lr 0.02, MSE, one sample per step)
// against PyTorch's float64 run, from the same initial weights.
import { type Expr, type Tensor, evaluate, grad, input, key, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { type Params, adam, dense, flatten, mapTree, mse, sequential, sigmoid, trainStep, unflatten } from "../src/index.js";
import { type Stored, expectClose, fixture, fromStored, stateDictOf } from "./torch.js";

interface Ref {
  x: Stored;
  y: Stored;
  initial_state_dict: Record<string, Stored>;
  step1: { input: Stored; target: Stored; output: Stored; loss: number; grads: Record<string, Stored> };
  params_after_step: Record<string, Record<string, Stored>>;
  losses_first_pass: number[];
}
const ref = fixture<Ref>("seed-linreg-float64.json");
const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
const initial = (): Params => unflatten(model.init(key(0), "f64"), stateDictOf(ref.initial_state_dict));

describe("seed regression run matches PyTorch (float64)", () => {
  it("step 1: output, loss and gradients (rtol 1e-12)", () => {
    const params = initial();
    const vars = mapTree(params, (t: Tensor, path) => input(path, t.shape, "f64"));
    const x = input("x", [1], "f64");
    const y = input("y", [1], "f64");
    const out = model.apply(vars, x, { mode: "train" });
    const loss = mse(out, y);
    const flat = flatten(vars);
    const paths = Object.keys(flat);
    const grads = grad(loss, paths.map((p) => flat[p] as Expr));
    const values = evaluate([out, loss, ...grads], { ...flatten(params), x: fromStored(ref.step1.input), y: fromStored(ref.step1.target) }) as readonly Tensor[];
    expectClose(values[0] as Tensor, ref.step1.output, 1e-12, 0, "output");
    expectClose((values[1] as Tensor).item(), ref.step1.loss, 1e-12, 0, "loss");
    paths.forEach((p, i) => expectClose(values[2 + i] as Tensor, ref.step1.grads[p] as Stored, 1e-12, 0, `grad ${p}`));
  });

  it("parameters after 1, 2, 10, 100 and 1,000 steps (rtol 1e-12 at step 1, 1e-9 after)", () => {
    const trainer = trainStep(model, mse, adam({ lr: 0.02, betas: [0.9, 0.999], eps: 1e-8 }));
    let ts = trainer.init(initial());
    const xs = fromStored(ref.x).data;
    const ys = fromStored(ref.y).data;
    const losses: number[] = [];
    for (let step = 1; step <= 1000; step++) {
      const i = (step - 1) % 100;
      const r = trainer.step(ts, { x: tensor([xs[i] as number], { dtype: "f64" }), y: tensor([ys[i] as number], { dtype: "f64" }) });
      ts = r.ts;
      if (step <= 100) losses.push(r.loss);
      const want = ref.params_after_step[String(step)];
      if (want === undefined) continue;
      const got = flatten(ts.params);
      for (const [name, w] of Object.entries(want)) expectClose(got[name] as Tensor, w, step === 1 ? 1e-12 : 1e-9, 0, `${name} after step ${step}`);
    }
    expectClose(losses, ref.losses_first_pass, 1e-9, 0, "losses of the first pass");
    expect(ts.step).toBe(1000);
  });
});
