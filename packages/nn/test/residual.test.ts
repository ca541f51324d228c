import { type Expr, type Tensor, evaluate, grad, input, key } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { crossEntropy, dense, flatten, mapTree, named, relu, residual, sequential, unflatten } from "../src/index.js";
import { type Stored, expectClose, fixture, fromStored, stateDictOf } from "./torch.js";

interface Entry {
  name: string;
  width: number;
  hidden: number;
  blocks: number;
  classes: number;
  input: Stored;
  target: Stored;
  state_dict: Record<string, Stored>;
  output: Stored;
  loss: number;
  grads: Record<string, Stored>;
  input_grad: Stored;
}
const ref = fixture<{ entries: Entry[] }>("residual-mlp.json");
const [RTOL, ATOL] = [1e-10, 1e-12];

const block = (width: number, hidden: number) => residual(sequential(named("fc1", dense(width, hidden)), relu(), named("fc2", dense(hidden, width))));

describe("residual MLP matches PyTorch (float64)", () => {
  for (const e of ref.entries) {
    it(e.name, () => {
      const model = sequential(...Array.from({ length: e.blocks }, () => block(e.width, e.hidden)), dense(e.width, e.classes));
      const like = model.init(key(0), "f64");
      // The state_dict keys of the reference are exactly our parameter paths.
      expect(Object.keys(flatten(like)).sort()).toEqual(Object.keys(e.state_dict).sort());
      const params = unflatten(like, stateDictOf(e.state_dict));
      const vars = mapTree(params, (t: Tensor, path) => input(path, t.shape, "f64"));
      const x = input("x", e.input.shape, "f64");
      const labels = input("labels", e.target.shape, "i32");
      const out = model.apply(vars, x, { mode: "train" });
      const loss = crossEntropy(out, labels);
      const flatVars = flatten(vars);
      const paths = Object.keys(flatVars);
      const grads = grad(loss, [...paths.map((p) => flatVars[p] as Expr), x]);
      const values = evaluate([out, loss, ...grads], { ...flatten(params), x: fromStored(e.input), labels: fromStored(e.target, "i32") }) as readonly Tensor[];
      expectClose(values[0] as Tensor, e.output, RTOL, ATOL, "output");
      expectClose((values[1] as Tensor).item(), e.loss, RTOL, ATOL, "loss");
      paths.forEach((p, i) => expectClose(values[2 + i] as Tensor, e.grads[p] as Stored, RTOL, ATOL, `grad ${p}`));
      expectClose(values[2 + paths.length] as Tensor, e.input_grad, RTOL, ATOL, "input grad");
    });
  }
});
