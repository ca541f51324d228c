import { type Expr, type Tensor, constant, evaluate, grad, input, mul, oneHot, sum, tensor } from "@typegrad/core";
import { assertGradients } from "@typegrad/core/testing";
import { describe, expect, it } from "vitest";
import { binaryCrossEntropy, crossEntropy, mse, relu, sigmoid, softplus, tanh } from "../src/index.js";
import { type Stored, expectClose, fixture, fromStored } from "./torch.js";

interface Vector {
  x: Stored;
  functions: Record<string, { value: Stored; G: Stored; grad: Stored }>;
  cross_entropy: {
    logits: Stored;
    target: Stored;
    loss_mean: number;
    grad_of_mean: Stored;
    loss_per_sample: Stored;
    G: Stored;
    grad_of_per_sample_times_G: Stored;
  };
  mse_loss: { target: Stored; value: number; grad: Stored };
}
const ref = fixture<{ vectors: Record<string, Vector> }>("losses-and-activations.json");
const [RTOL, ATOL] = [1e-10, 1e-12];

describe("losses match PyTorch (float64), including logits up to ±1000", () => {
  for (const [name, v] of Object.entries(ref.vectors)) {
    it(`${name}: cross-entropy with integer labels and with one-hot targets`, () => {
      const ce = v.cross_entropy;
      const logits = input("logits", ce.logits.shape, "f64");
      const labels = input("labels", ce.target.shape, "i32");
      const bindings = { logits: fromStored(ce.logits), labels: fromStored(ce.target, "i32") };
      const mean = crossEntropy(logits, labels);
      const perSample = crossEntropy(logits, labels, "none");
      const [gMean] = grad(mean, [logits]);
      const [gPer] = grad(sum(mul(perSample, constant(fromStored(ce.G)))), [logits]);
      const classes = ce.logits.shape[1] as number;
      const viaOneHot = crossEntropy(logits, oneHot(labels, classes, "f64"));
      const [m, per, dm, dp, oh] = evaluate([mean, perSample, gMean as Expr, gPer as Expr, viaOneHot], bindings) as readonly Tensor[];
      expectClose((m as Tensor).item(), ce.loss_mean, RTOL, ATOL, "mean loss");
      expectClose(per as Tensor, ce.loss_per_sample, RTOL, ATOL, "per-sample loss");
      expectClose(dm as Tensor, ce.grad_of_mean, RTOL, ATOL, "gradient of the mean");
      expectClose(dp as Tensor, ce.grad_of_per_sample_times_G, RTOL, ATOL, "gradient of the weighted per-sample losses");
      expectClose((oh as Tensor).item(), ce.loss_mean, RTOL, ATOL, "one-hot loss");
    });

    it(`${name}: mse`, () => {
      const x = input("x", v.x.shape, "f64");
      const loss = mse(x, constant(fromStored(v.mse_loss.target)));
      const [value, dx] = evaluate([loss, grad(loss, [x])[0] as Expr], { x: fromStored(v.x) }) as readonly Tensor[];
      expectClose((value as Tensor).item(), v.mse_loss.value, RTOL, ATOL, "value");
      expectClose(dx as Tensor, v.mse_loss.grad, RTOL, ATOL, "grad");
    });

    it(`${name}: activation layers`, () => {
      const layers = { sigmoid: sigmoid(), tanh: tanh(), relu: relu(), softplus: softplus() };
      for (const [fn, l] of Object.entries(layers)) {
        const f = v.functions[fn];
        if (f === undefined) throw new Error(`no reference for ${fn}`);
        const x = input("x", v.x.shape, "f64");
        const y: Expr = l.apply({}, x, { mode: "eval" });
        const [value, dx] = evaluate([y, grad(sum(mul(y, constant(fromStored(f.G)))), [x])[0] as Expr], { x: fromStored(v.x) }) as readonly Tensor[];
        expectClose(value as Tensor, f.value, RTOL, ATOL, `${fn} value`);
        expectClose(dx as Tensor, f.grad, RTOL, ATOL, `${fn} grad`);
      }
    });
  }
});

describe("binary cross-entropy from logits", () => {
  it("equals −y·log σ(x) − (1−y)·log(1−σ(x)) and stays finite for huge logits", () => {
    const xs = [-3, -0.5, 0, 0.7, 4];
    const ys = [0, 1, 0.5, 1, 0];
    const direct = xs.map((x, i) => {
      const s = 1 / (1 + Math.exp(-x));
      const y = ys[i] as number;
      return -y * Math.log(s) - (1 - y) * Math.log(1 - s);
    });
    const x = constant(tensor(xs, { dtype: "f64" }));
    const y = constant(tensor(ys, { dtype: "f64" }));
    expectClose(evaluate(binaryCrossEntropy(x, y, "none")), direct, 1e-12, 1e-15, "per element");
    expect(evaluate(binaryCrossEntropy(x, y)).item()).toBeCloseTo(direct.reduce((a, b) => a + b) / xs.length, 13);
    const huge = evaluate(binaryCrossEntropy(constant(tensor([1000, -1000], { dtype: "f64" })), constant(tensor([0, 1], { dtype: "f64" })), "none"));
    expect(Array.from(huge.data)).toEqual([1000, 1000]);
  });

  it("rejects targets of another shape", () => {
    // @ts-expect-error: the shapes differ (a type error too)
    expect(() => mse(input("a", [3]), input("b", [4]))).toThrow(/mse: expected predictions and targets of one shape/);
    // @ts-expect-error: one label per row of logits (a type error too)
    expect(() => crossEntropy(input("l", [2, 3]), input("t", [3], "i32"))).toThrow(/crossEntropy: expected labels of shape \[2\]/);
  });
});

describe("cross-entropy gradients", () => {
  it("match central differences, first and second order, with integer labels and one-hot targets", () => {
    for (const [n, c] of [[1, 1], [3, 4], [2, 5]] as const) {
      const logits = tensor(Array.from({ length: n * c }, (_, i) => Math.sin(i * 1.7) * 3), { dtype: "f64", shape: [n, c] });
      const ids = Array.from({ length: n }, (_, i) => (i * 3) % c);
      const labels = constant(tensor(ids, { dtype: "i32" }));
      const oneHots = constant(tensor(ids.flatMap((k) => Array.from({ length: c }, (_, j) => (j === k ? 1 : 0))), { dtype: "f64", shape: [n, c] }));
      assertGradients((z: Expr) => crossEntropy(z, labels), [logits]);
      assertGradients((z: Expr) => crossEntropy(z, oneHots), [logits]);
    }
  });
});
