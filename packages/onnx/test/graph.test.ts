// exportGraph beyond single primitives: symbolic dimensions read at run time, several outputs,
// an output that is an input, and the errors that name what is wrong.
import { type Expr, type Tensor, add, broadcastTo, evaluate, input, mean, ones, reshape, softmax, sum } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { OnnxExportError, exportGraph } from "../src/index.js";
import { TOL, expectClose, randomTensor, runOnnx } from "./runtime.js";

describe("exportGraph", () => {
  it("keeps symbolic dimensions symbolic: one file runs every batch size", async () => {
    const x = input("x", ["batch", 3], "f64");
    const b = input("b", [3], "f64");
    const outputs = {
      centred: add(x, broadcastTo(b, ["batch", 3])),
      mean: mean(x, 0), // counts the batch at run time
      flipped: reshape(x, [3, "batch"]),
      probs: softmax(x, 1),
      same: x, // an output that is an input
    };
    const model = exportGraph({ x }, outputs, { initializers: { b: randomTensor([3], "f64", 1) } });
    for (const n of [1, 2, 7]) {
      const value = randomTensor([n, 3], "f64", n);
      const got = await runOnnx(model, { x: value });
      const bindings = new Map<Expr, Tensor>([[x, value], [b, randomTensor([3], "f64", 1)]]);
      for (const [name, y] of Object.entries(outputs)) expectClose(got[name] as Tensor, evaluate(y, bindings), TOL.f64, `${name} at batch ${n}`);
    }
  });

  it("names what is wrong", () => {
    const x = input("x", ["batch", 2]);
    const w = input("w", [2]);
    const y = sum(add(x, broadcastTo(w, ["batch", 2])), 1);
    expect(() => exportGraph({ x }, { y })).toThrow(/exportGraph: expected a graph input or an initializer for input leaf "w", got neither/);
    expect(() => exportGraph({ x }, { y }, { initializers: { w: ones([3]) } })).toThrow(/initializer "w" of f32\[2\], got f32\[3\]/);
    expect(() => exportGraph({ x }, { x: y }, { initializers: { w: ones([2]) } })).toThrow(OnnxExportError);
    const z = input("z", ["other", 2]);
    expect(() => exportGraph({ z }, { y: reshape(z, [2, "other"]) })).not.toThrow();
    expect(() => exportGraph({ x }, { y: broadcastTo(w, ["other", 2]) }, { initializers: { w: ones([2]) } })).toThrow(/symbolic dimension "other" on a graph input/);
  });
});
