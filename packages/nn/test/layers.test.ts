import { type Expr, type Tensor, ShapeError, constant, evaluate, input, key, mul, ones, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import {
  batchNorm,
  bind,
  constants,
  dense,
  dropout,
  flatten,
  gelu,
  layer,
  leaf,
  leakyRelu,
  named,
  relu,
  residual,
  sequential,
  sigmoid,
  softplus,
  tanh,
} from "../src/index.js";

const ev = (e: Expr): number[] => Array.from(evaluate(e).data);

describe("dense", () => {
  it("computes x·Wᵀ + b with PyTorch's layout, and x·W + b with the other", () => {
    const x = constant(tensor([[1, 2, 3]], { dtype: "f64" }));
    const w = tensor([
      [1, 0, -1],
      [2, 1, 0],
    ], { dtype: "f64" });
    const b = tensor([0.5, -0.5], { dtype: "f64" });
    expect(ev(dense(3, 2).apply({ weight: constant(w), bias: constant(b) }, x, { mode: "eval" }))).toEqual([1 - 3 + 0.5, 2 + 2 - 0.5]);
    const wT = tensor([
      [1, 2],
      [0, 1],
      [-1, 0],
    ], { dtype: "f64" });
    expect(ev(dense(3, 2, { layout: "in-out" }).apply({ weight: constant(wT), bias: constant(b) }, x, { mode: "eval" }))).toEqual([-1.5, 3.5]);
    expect(Object.keys(dense(3, 2, { bias: false }).init(key(0)))).toEqual(["weight"]);
    expect((dense(3, 2, { layout: "in-out" }).init(key(0)).weight as Tensor).shape).toEqual([3, 2]);
  });

  it("accepts any leading axes and rejects the wrong feature count where the graph is built", () => {
    const fc = dense(4, 3);
    const p = constants(fc.init(key(0)));
    expect(fc.apply(p, input("x", [2, 5, 4]), { mode: "eval" }).shape).toEqual([2, 5, 3]);
    expect(fc.apply(p, input("v", [4]), { mode: "eval" }).shape).toEqual([3]);
    // The types reject the literal mismatch; the shape rule rejects it when the graph is built.
    // @ts-expect-error: 5 features where the layer expects 4
    expect(() => fc.apply(p, input("x", [2, 5]), { mode: "eval" })).toThrow(ShapeError);
    const dynamic = input("x", [2, 5] as number[]);
    expect(() => fc.apply(p, dynamic, { mode: "eval" })).toThrow(/dense: expected an input with 4 features/);
  });

  it("draws different parameters for different keys and layers", () => {
    const model = sequential(dense(2, 2), dense(2, 2));
    const a = flatten(model.init(key(0)));
    const b = flatten(model.init(key(1)));
    expect(Array.from((a["0.weight"] as Tensor).data)).not.toEqual(Array.from((b["0.weight"] as Tensor).data));
    expect(Array.from((a["0.weight"] as Tensor).data)).not.toEqual(Array.from((a["1.weight"] as Tensor).data));
  });
});

describe("activations as layers", () => {
  it("apply the elementwise functions", () => {
    const x = constant(tensor([-2, -0.5, 0, 1.5], { dtype: "f64" }));
    const run = (l: ReturnType<typeof relu>): number[] => ev(l.apply({}, x, { mode: "eval" }));
    expect(run(relu())).toEqual([0, 0, 0, 1.5]);
    expect(run(leakyRelu(0.1))).toEqual([-0.2, -0.05, 0, 1.5]);
    run(sigmoid()).forEach((v, i) => expect(v).toBeCloseTo(1 / (1 + Math.exp(-([-2, -0.5, 0, 1.5][i] as number))), 14));
    run(tanh()).forEach((v, i) => expect(v).toBeCloseTo(Math.tanh([-2, -0.5, 0, 1.5][i] as number), 14));
    run(softplus()).forEach((v, i) => expect(v).toBeCloseTo(Math.log1p(Math.exp([-2, -0.5, 0, 1.5][i] as number)), 14));
    expect(run(gelu())[2]).toBe(0);
    expect(relu().init(key(0))).toEqual({});
  });
});

describe("dropout", () => {
  const x = constant(tensor(Array.from({ length: 4000 }, () => 1), { shape: [40, 100] }));
  const k = constant(key(3));

  it("is the identity in evaluation mode", () => {
    expect(dropout(0.5).apply({}, x, { mode: "eval" })).toBe(x);
  });

  it("zeroes about p of the units and scales the rest by 1/(1−p), reproducibly from the key", () => {
    const y = ev(dropout(0.25).apply({}, x, { mode: "train", key: k }));
    const kept = y.filter((v) => v !== 0);
    expect(new Set(kept)).toEqual(new Set([Math.fround(1 / 0.75)]));
    expect(Math.abs(kept.length / y.length - 0.75)).toBeLessThan(0.03);
    expect(ev(dropout(0.25).apply({}, x, { mode: "train", key: k }))).toEqual(y);
    expect(ev(dropout(0.25).apply({}, x, { mode: "train", key: constant(key(4)) }))).not.toEqual(y);
  });

  it("needs a key in training, and p in [0, 1]", () => {
    expect(() => dropout(0.5).apply({}, x, { mode: "train" })).toThrow(/dropout: expected a key/);
    expect(() => dropout(1.5)).toThrow(/probability/);
    expect(ev(dropout(1).apply({}, x, { mode: "train" })).every((v) => v === 0)).toBe(true);
  });

  it("gets an independent key per layer inside sequential", () => {
    const model = sequential(dropout(0.5), named("second", dropout(0.5)));
    const first = sequential(dropout(0.5));
    const both = ev(model.apply({}, x, { mode: "train", key: k }));
    const one = ev(first.apply({}, x, { mode: "train", key: k }));
    // With independent masks, the two-layer result keeps ~1/4 of the units, each scaled by 4.
    const kept = both.filter((v) => v !== 0).length / both.length;
    expect(Math.abs(kept - 0.25)).toBeLessThan(0.03);
    expect(both.filter((v, i) => v !== 0 && one[i] === 0)).toEqual([]);
  });
});

describe("combinators", () => {
  it("residual adds the input; a projection maps it when the features change", () => {
    const x = constant(tensor([[1, 2]], { dtype: "f64" }));
    const zero = { weight: constant(tensor([[0, 0], [0, 0]], { dtype: "f64" })), bias: constant(tensor([0, 0], { dtype: "f64" })) };
    expect(ev(residual(dense(2, 2)).apply(zero, x, { mode: "eval" }))).toEqual([1, 2]);
    const proj = residual(dense(2, 3), named("shortcut", dense(2, 3, { bias: false })));
    expect(Object.keys(flatten(proj.init(key(0))))).toEqual(["weight", "bias", "shortcut.weight"]);
  });

  it("threads batch-norm state through sequential and residual, keyed like PyTorch", () => {
    const model = sequential(dense(3, 4), residual(sequential(named("bn", batchNorm(4)), relu())), dense(4, 1));
    const state = model.initState();
    expect(Object.keys(flatten(state))).toEqual(["1.bn.running_mean", "1.bn.running_var", "1.bn.num_batches_tracked"]);
    const p = constants(model.init(key(0)));
    const x = constant(tensor(Array.from({ length: 15 }, (_, i) => Math.sin(i)), { shape: [5, 3] }));
    const r = model.call(p, constants(state), x, { mode: "train" });
    expect(Object.keys(flatten(r.state))).toEqual(Object.keys(flatten(state)));
    expect((evaluate(flatten(r.state)["1.bn.num_batches_tracked"] as Expr) as Tensor).item()).toBe(1);
  });

  it("binds a layer to its parameters as a function, for fp-ts pipe/flow", () => {
    const fc = dense(2, 1);
    const p = constants(fc.init(key(0)));
    const f = bind(fc, p, { mode: "eval" });
    const x = constant(tensor([[1, 1]]));
    expect(f(x)).toBe(fc.apply(p, x, { mode: "eval" }));
  });
});

describe("custom layers", () => {
  it("are defined with layer() and read their parameters with leaf()", () => {
    const scale = <const N extends number>(n: N) =>
      layer<[N], [N]>({
        init: (_key, dtype) => ({ gain: ones([n], dtype) }),
        forward: (params, x) => mul(x, leaf(params, "gain", "scale")),
      });
    const model = sequential(dense(4, 8), scale(8), relu());
    const params = model.init(key(0));
    expect(Object.keys(flatten(params))).toEqual(["0.weight", "0.bias", "1.gain"]);
    expect(model.apply(constants(params), input("x", [2, 4]), { mode: "eval" }).shape).toEqual([2, 8]);
  });
});
