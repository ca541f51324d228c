import { describe, expect, it } from "vitest";
import {
  evaluate, grad, hessian, input, matmul, mean, mul, sigmoid, softmax, sum, tanh, tensor, add, logSumExp, relu, exp, Expr, ShapeError,
} from "../src/index.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "f64" });

describe("autodiff", () => {
  it("differentiates the README example", () => {
    const x = input("x", [3], "f64");
    const y = sum(mul(sigmoid(x), x));
    const [dx] = grad(y, [x]);
    const xs = [1, 2, 3];
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    const got = evaluate(dx, { x: f64(xs) }).toFlat();
    xs.forEach((v, i) => expect(got[i]).toBeCloseTo(s(v) + v * s(v) * (1 - s(v)), 12));
  });

  it("shares nodes by construction", () => {
    const x = input("x", [3], "f64");
    expect(add(x, 1)).toBe(add(x, 1));
    expect(input("x", [3], "f64")).toBe(x);
  });

  it("computes second derivatives", () => {
    const x = input("x", [2], "f64");
    const y = sum(tanh(x));
    const h = evaluate(hessian(y, x), { x: f64([0.3, -0.7]) });
    const t = (v: number) => -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2);
    expect(h.toArray()).toEqual([[expect.closeTo(t(0.3), 12), expect.closeTo(0, 15)], [expect.closeTo(0, 15), expect.closeTo(t(-0.7), 12)]]);
  });

  it("handles matmul, broadcasting and softmax", () => {
    const x = input("x", [2, 3], "f64");
    const w = input("w", [3, 4], "f64");
    const b = input("b", [4], "f64");
    const y = mean(logSumExp(add(matmul(x, w), b)));
    const [dw, db] = grad(y, [w, b]);
    const bind = { x: f64([[1, 2, 3], [4, 5, 6]]), w: f64([[0.1, 0.2, 0.3, 0.4], [0.5, 0.6, 0.7, 0.8], [0.9, 1, 1.1, 1.2]]), b: f64([0, 0.1, 0.2, 0.3]) };
    const [gw, gb] = evaluate([dw as Expr, db as Expr], bind);
    expect(gw?.shape).toEqual([3, 4]);
    // d mean(lse)/db = mean over rows of softmax(logits)
    const p = evaluate(mean(softmax(add(matmul(x, w), b)), 0), bind).toFlat();
    gb?.toFlat().forEach((v, i) => expect(v).toBeCloseTo(p[i] as number, 12));
  });

  it("gives relu's gradient 0 at 0 and exp's as itself", () => {
    const x = input("x", [3], "f64");
    const [d] = grad(sum(relu(x)), [x]);
    expect(evaluate(d, { x: f64([-1, 0, 2]) }).toFlat()).toEqual([0, 0, 1]);
    const [e] = grad(sum(exp(x)), [x]);
    expect(evaluate(e, { x: f64([0, 1, 2]) }).toFlat()).toEqual([1, Math.E, Math.exp(2)]);
  });

  it("refuses non-scalar outputs and integer inputs clearly", () => {
    const x = input("x", [3], "f64");
    // @ts-expect-error: grad of a non-scalar is a type error too
    expect(() => grad(x, [x])).toThrow(/grad: expected a scalar output, got \[3\]/);
    const i = input("i", [3], "i32");
    expect(() => grad(sum(x), [i])).toThrow(/integer and bool values have no gradient/);
    expect(() => matmul(input("a", [2, 3]), input("b", [4, 5]) as never)).toThrow(ShapeError);
  });
});

describe("oneHot", () => {
  it("indexes an identity table for few classes and compares for many, with equal values", async () => {
    const { oneHot } = await import("../src/index.js");
    const y = input("y", [3], "i32");
    const labels = tensor([0, 2, 1], { dtype: "i32" });
    expect(evaluate(oneHot(y, 3), { y: labels }).toArray()).toEqual([[1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    const wide = evaluate(oneHot(y, 2000), { y: labels });
    expect(wide.shape).toEqual([3, 2000]);
    expect(Array.from(wide.data).reduce((a, b) => a + b, 0)).toBe(3);
    expect(wide.data[2000 + 2]).toBe(1);
  });
});

describe("evaluating a gradient that no longer contains its input", () => {
  it("explains extra record bindings and accepts a Map, which binds symbolic dimensions", () => {
    const x = input("x", ["batch", 3], "f64");
    const [dx] = grad(sum(x), [x]);
    const value = tensor([[1, 2, 3], [4, 5, 6]], { dtype: "f64" });
    expect(() => evaluate(dx, { x: value })).toThrow(/extra "x".*no output depends on them/);
    expect(evaluate(dx, new Map([[x, value]])).toArray()).toEqual([[1, 1, 1], [1, 1, 1]]);
  });
});

describe("reductions over symbolic dimensions", () => {
  it("mean and variance count a batch dimension bound at run time", async () => {
    const { variance } = await import("../src/index.js");
    const x = input("x", ["batch", 2], "f64");
    const value = tensor([[1, 2], [3, 6], [5, 10]], { dtype: "f64" });
    expect(evaluate(mean(x, 0), { x: value }).toFlat()).toEqual([3, 6]);
    expect(evaluate(variance(x, 0, false, 1), { x: value }).toFlat()).toEqual([4, 16]);
    const [dx] = grad(mean(x), [x]);
    expect(evaluate([dx as Expr, mean(x)], { x: value })[0]?.toFlat()).toEqual(Array(6).fill(1 / 6));
  });
});
