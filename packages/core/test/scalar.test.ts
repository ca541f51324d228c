import { describe, expect, it } from "vitest";
import {
  type DType, type Expr, type Tensor, abs, add, cast, compile, cos, equal, exp, greater, input, less, log, maximum, minimum, mul, neg, pow,
  reciprocal, sigmoid, sign, sin, sqrt, sum, tanh, tensor, where,
} from "../src/index.js";

/** Single-element values that stress the reference's rounding: signed zeros, NaN, infinities, ties, huge. */
const SPECIAL = [0, -0, 1, -1, 0.5, -2.5, 1e-300, 3.7, -7.9, 1e10, -1e10, 2 ** 40 + 0.5, -(2 ** 33) - 1.5, 1e300, NaN, Infinity, -Infinity];

const bits = (t: Tensor): string[] => Array.from(t.data, (v) => (Number.isNaN(v) ? "NaN" : Object.is(v, -0) ? "-0" : String(v)));

/** Builds `f` on single-element inputs of `dtype`, and compares wasm with the reference for every pair of special values. */
function agree(dtype: DType, f: (a: Expr, b: Expr) => Expr, shape: readonly number[] = []): void {
  const a = input("a", shape, dtype);
  const b = input("b", shape, dtype);
  const outputs = { y: f(a, b) };
  const wasm = compile({ a, b }, outputs);
  const js = compile({ a, b }, outputs, { backend: "js" });
  expect(wasm.describe()).not.toMatch(/interpreted/);
  for (const x of SPECIAL)
    for (const y of SPECIAL) {
      const bind = { a: tensor([x], { shape, dtype }), b: tensor([y], { shape, dtype }) };
      expect(bits(wasm.run(bind).y), `${x}, ${y}`).toEqual(bits(js.run(bind).y));
    }
}

describe("single-element kernels", () => {
  const binary: Record<string, (a: Expr, b: Expr) => Expr> = {
    add, mul, maximum, minimum, pow,
    less: (a, b) => cast(less(a, b), "f64"),
    equal: (a, b) => cast(equal(a, b), "f64"),
    where: (a, b) => where(greater(a, b), a, b),
  };
  const unary: Record<string, (a: Expr) => Expr> = { neg, abs, sqrt, reciprocal, sign, sigmoid, exp, log, tanh, sin, cos };

  for (const [name, f] of Object.entries(binary)) it(`${name} (f64) agrees with the reference bit for bit, special values included`, () => agree("f64", f));
  for (const [name, f] of Object.entries(unary)) it(`${name} (f64) agrees with the reference`, () => agree("f64", (a) => f(a), [1]));

  it("casts round as the reference does: f32 once, i32 truncated and wrapped, NaN to 0 and false", () => {
    agree("f64", (a) => cast(a, "f32"));
    agree("f64", (a) => cast(a, "i32"));
    agree("f64", (a) => cast(cast(a, "bool"), "f64"));
    agree("f32", (a, b) => cast(mul(cast(a, "f64"), cast(b, "f64")), "f32"));
    agree("i32", (a, b) => cast(pow(cast(a, "f64"), cast(b, "f64")), "i32"));
  });

  it("an optimiser's scalar formulas compile: f64 bias corrections rounded once into an f32 reduction", () => {
    agree("f32", (a, b) => sum(mul(a, cast(sqrt(add(neg(pow(0.999, cast(b, "f64"))), 1)), "f32"))), [1]);
  });
});
