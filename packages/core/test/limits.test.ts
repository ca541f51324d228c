// Limits as typed errors (or no limit at all): dimensions, program memory, program size.
import { describe, expect, it } from "vitest";
import { type Expr, add, compile, evaluate, eye, full, input, matmul, mul, ones, tensor, zeros } from "../src/index.js";

describe("limits", () => {
  it("negative, fractional and oversized dimensions are ShapeErrors or ValueErrors naming the call", () => {
    expect(() => zeros([-1])).toThrow("zeros: expected non-negative integer dimensions, got -1 at position 0 of [-1]");
    expect(() => ones([2, 1.5])).toThrow("ones: expected non-negative integer dimensions, got 1.5 at position 1 of [2,1.5]");
    expect(() => eye(-2)).toThrow(/^eye: expected non-negative integer dimensions/);
    expect(() => tensor([1, 2], { shape: [-2] as never })).toThrow("tensor: expected non-negative integer dimensions");
    expect(() => full([2 ** 31, 4], 0)).toThrow("full: expected at most 4294967295 elements, as this engine allocates, got 8589934592 f32 elements");
    expect(() => zeros([-1])).toThrow(expect.objectContaining({ name: "ShapeError" }));
  });

  it("a program needing more than 4 GiB is a ValueError naming its largest node and the limit", () => {
    const a = input("a", ["n", 1]);
    const b = input("b", [1, "n"]);
    const p = compile({ a, b }, { c: matmul(a, b) }, { backend: "wasm" });
    expect(() => p.run({ a: zeros([40_000, 1]), b: zeros([1, 40_000]) })).toThrow(
      'compile: expected a program of at most 4 GiB of WebAssembly memory, got 5.96 GiB; the largest buffer is matmul f32[40000,40000] (5.96 GiB). use smaller batches or dimensions, or { backend: "js" }',
    );
  });

  it("an elementwise chain of 25,000 steps compiles into kernels of bounded size and computes what the interpreter does", () => {
    // Engines cap a function's size and locals; 25,000 steps with tanh, exp and sin made one
    // 9.7 MB function (V8's limit: 7.65 MB). Kernels now hold at most 2,000 nodes each.
    const x = input("x", [37]);
    const steps: ((y: Expr) => Expr)[] = [(y) => mul(y, 0.999), (y) => add(y, 0.001), (y) => mul(y, -1.0005), (y) => add(y, -0.002)];
    let y: Expr = x;
    for (let i = 0; i < 25_000; i++) y = (steps[i % steps.length] as (y: Expr) => Expr)(y);
    const data = tensor(Float32Array.from({ length: 37 }, (_, i) => i / 10 - 1.8), { shape: [37] });
    const p = compile({ x }, { y });
    const got = p.run({ x: data }).y.data;
    expect(p.describe().split("\n").filter((line) => /^\d+\. /.test(line)).length).toBeGreaterThanOrEqual(13);
    const want = evaluate(y, { x: data }).data;
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 3));
  });
});
