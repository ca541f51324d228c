// Non-finite values and tails: NaN propagates through relu, maximum, minimum and clip as in
// PyTorch (interpreter and wasm kernels alike), infinities give the limits, and softplus keeps its
// relative accuracy far into the negative tail.
import { describe, expect, it } from "vitest";
import { type DType, type Expr, clip, compile, constant, evaluate, grad, input, log1p, maximum, minimum, relu, softplus, sum, tensor } from "../src/index.js";

const specials = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -2, -0, 0, 3];
const runners = [
  ["reference", (e: Expr, x: Float64Array, dtype: DType): number[] => Array.from(evaluate(e, { x: tensor(x, { shape: [x.length], dtype }) }).data)],
  ["wasm", (e: Expr, x: Float64Array, dtype: DType): number[] => Array.from(compile({ x: input("x", [x.length], dtype) }, { y: e }).run({ x: tensor(x, { shape: [x.length], dtype }) }).y.data)],
] as const;

describe("NaN and infinities", () => {
  // Nine copies so that the wasm kernels see full vectors and a tail.
  const xs = Float64Array.from({ length: 9 * specials.length }, (_, i) => specials[i % specials.length] as number);
  for (const dtype of ["f32", "f64"] as const) {
    const x = input("x", [xs.length], dtype);
    const cases: [string, Expr, (v: number) => number][] = [
      ["relu", relu(x), (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0)],
      ["maximum(x, 1)", maximum(x, 1), (v) => (Number.isNaN(v) ? NaN : Math.max(v, 1))],
      ["maximum(1, x)", maximum(1, x), (v) => (Number.isNaN(v) ? NaN : Math.max(v, 1))],
      ["minimum(x, 1)", minimum(x, 1), (v) => (Number.isNaN(v) ? NaN : Math.min(v, 1))],
      ["minimum(1, x)", minimum(1, x), (v) => (Number.isNaN(v) ? NaN : Math.min(v, 1))],
      ["clip(x, -1, 1)", clip(x, -1, 1), (v) => (Number.isNaN(v) ? NaN : Math.min(Math.max(v, -1), 1))],
      ["softplus", softplus(x), (v) => (Number.isNaN(v) ? NaN : v === Infinity ? Infinity : v === -Infinity ? 0 : Math.log1p(Math.exp(v)))],
    ];
    for (const [runner, run] of runners)
      it.each(cases)(`%s on ${dtype} (${runner})`, (_, e, want) => {
        const got = run(e, xs, dtype);
        got.forEach((v, i) => {
          const w = want(xs[i] as number);
          if (Number.isNaN(w) || !Number.isFinite(w) || w === 0) expect(v, `at ${xs[i]}`).toBe(w === 0 ? v === 0 ? v : 0 : w);
          else expect(v, `at ${xs[i]}`).toBeCloseTo(w, 5);
        });
      });
  }

  it("gradients through relu, maximum and minimum pass NaN on instead of hiding it (as PyTorch)", () => {
    const x = input("x", [4], "f64");
    const at = tensor([Number.NaN, 2, -2, 0], { shape: [4], dtype: "f64" });
    const g = (f: (x: Expr) => Expr): number[] => Array.from(evaluate(grad(sum(f(x)), [x])[0], { x: at }).data);
    expect(g(relu)).toEqual([1, 1, 0, 0]);
    expect(g((v) => maximum(v, 0))).toEqual([1, 1, 0, 0.5]);
    expect(g((v) => minimum(v, 0))).toEqual([1, 0, 1, 0.5]);
    const loss = evaluate(sum(relu(x)), { x: at }).item();
    expect(loss).toBeNaN();
  });
});

describe("softplus in its tails", () => {
  // log1p(e^x) in double precision: the reference for every x below.
  const exact = (v: number): number => (v > 20 ? v : Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
  const xs = [-745, -700, -100, -40, -37, -30, -20, -5, -1e-8, 0, 1e-8, 5, 19.9, 25];

  it("keeps its relative accuracy for very negative x in f64 (PyTorch: 4.2e-18 at -40)", () => {
    const x = input("x", [xs.length], "f64");
    const got = evaluate(softplus(x), { x: tensor(xs, { shape: [xs.length], dtype: "f64" }) }).data;
    xs.forEach((v, i) => expect(Math.abs((got[i] as number) - exact(v)), `at ${v}`).toBeLessThanOrEqual(4e-16 * exact(v)));
    expect(got[xs.indexOf(-40)]).toBeCloseTo(4.248354255291589e-18, 30);
  });

  it("and in f32, interpreted and compiled", () => {
    const x = input("x", [xs.length], "f32");
    const f32 = tensor(xs, { shape: [xs.length] });
    for (const got of [evaluate(softplus(x), { x: f32 }).data, compile({ x }, { y: softplus(x) }).run({ x: f32 }).y.data])
      xs.forEach((v, i) => {
        const want = Math.fround(exact(v));
        // Below f32's smallest subnormal the answer is 0; elsewhere a few ulps.
        if (want === 0) expect(got[i], `at ${v}`).toBe(0);
        else expect(Math.abs((got[i] as number) - want) / want, `at ${v}`).toBeLessThan(2e-6);
      });
  });

  it("log1p is exact where 1 + x rounds to 1, and its gradient is finite there", () => {
    const x = input("x", [3], "f64");
    const at = tensor([1e-20, 1e-10, 0.5], { shape: [3], dtype: "f64" });
    const got = evaluate(log1p(x), { x: at }).data;
    [1e-20, 1e-10, 0.5].forEach((v, i) => expect(Math.abs((got[i] as number) - Math.log1p(v))).toBeLessThanOrEqual(2e-16 * Math.log1p(v)));
    const d = evaluate(grad(sum(log1p(x)), [x])[0], { x: at }).data;
    [1e-20, 1e-10, 0.5].forEach((v, i) => expect(d[i]).toBeCloseTo(1 / (1 + v), 12));
    expect(evaluate(log1p(constant(tensor([0], { dtype: "f64" })))).data[0]).toBe(0);
  });
});
