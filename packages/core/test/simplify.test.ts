import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Expr, Tensor, add, broadcastTo, cast, constant, evaluate, exp, greater, input, log, max, mul, neg, pow, reciprocal, reshape, simplify,
  oneHot, sin, slice, sub, sum, take, tensor, transpose, where,
} from "../src/index.js";
import { arbitraryExpr } from "../src/testing/index.js";
import { rules } from "../src/simplify/rules.js";

/** Equal as the reference interpreter's f64 results should be: NaN = NaN, ±0 equal, else relative 1e-12. */
function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function expectSameValues(before: Tensor, after: Tensor): void {
  expect(after.shape).toEqual(before.shape);
  expect(after.dtype).toBe(before.dtype);
  const [a, b] = [before.toFlat(), after.toFlat()];
  const bad = a.findIndex((v, i) => !close(v, b[i] as number));
  expect(bad, `element ${bad}: ${a[bad]} became ${b[bad]}`).toBe(-1);
}

// Values where unsound rules fail: signed zeros, infinities, NaN, negatives, a subnormal.
const SPECIAL = [-2, -0, 0, 3, Infinity, -Infinity, NaN, 1e-310];
const x = input("x", [8], "f64");
const y = input("y", [8], "f64");
const s = input("s", [], "f64");
const i = input("i", [3], "i32");
const bind = new Map<Expr, Tensor>([
  [x, tensor(SPECIAL, { dtype: "f64" })],
  [y, tensor([...SPECIAL].reverse(), { dtype: "f64" })],
  [s, tensor(-0.5, { dtype: "f64" })],
  [i, tensor([1, 0, 1], { dtype: "i32" })],
]);
/** A constant f64 matrix. */
const matrix = (rows: number[][]): Expr => constant(tensor(rows, { dtype: "f64" }));
/** Rows that differ, and rows that are all equal (special values included: −0 and NaN must match exactly). */
const table = matrix([[1, -0, Infinity], [NaN, 2, -3]]);
const sameRows = matrix([[-0, NaN, 2], [-0, NaN, 2]]);
const mask = matrix([[0, 1, 1], [1, 0, 0]]);
const sameColumns = matrix([[-0, -0], [NaN, NaN]]);

/** One case per rule: the expression, what it simplifies to (the same node, by hash-consing). */
const cases: readonly { rule: string; before: Expr; after: Expr }[] = [
  { rule: "add-zero", before: add(0, add(x, 0)), after: x },
  { rule: "add-neg-neg", before: add(neg(x), neg(y)), after: neg(add(x, y)) },
  { rule: "add-neg-first", before: add(neg(x), y), after: add(y, neg(x)) },
  { rule: "add-self", before: add(sin(x), sin(x)), after: mul(sin(x), 2) },
  { rule: "mul-one", before: mul(1, mul(x, 1)), after: x },
  { rule: "mul-minus-one", before: mul(x, -1), after: neg(x) },
  { rule: "mul-neg", before: mul(neg(x), y), after: neg(mul(x, y)) },
  { rule: "mul-negative-constant", before: mul(x, -3), after: neg(mul(x, 3)) },
  { rule: "neg-neg", before: neg(neg(x)), after: x },
  { rule: "broadcast-of-neg", before: broadcastTo(neg(x), [2, 8]), after: neg(broadcastTo(x, [2, 8])) },
  { rule: "reshape-of-neg", before: reshape(neg(x), [2, 4]), after: neg(reshape(x, [2, 4])) },
  { rule: "transpose-of-neg", before: transpose(neg(reshape(x, [2, 4]))), after: neg(transpose(reshape(x, [2, 4]))) },
  { rule: "slice-of-neg", before: slice(neg(x), 0, 1, 3), after: neg(slice(x, 0, 1, 3)) },
  { rule: "sum-of-neg", before: sum(neg(x)), after: neg(sum(x)) },
  { rule: "broadcast-broadcast", before: broadcastTo(neg(broadcastTo(x, [2, 8])), [3, 2, 8]), after: neg(broadcastTo(x, [3, 2, 8])) },
  { rule: "broadcast-leading-reshape", before: broadcastTo(reshape(s, [1]), [8]), after: broadcastTo(s, [8]) },
  { rule: "reshape-reshape", before: reshape(neg(reshape(x, [2, 4])), [4, 2]), after: neg(reshape(x, [4, 2])) },
  { rule: "transpose-transpose", before: transpose(neg(transpose(reshape(x, [2, 2, 2]), [1, 2, 0])), [2, 0, 1]), after: neg(reshape(x, [2, 2, 2])) },
  { rule: "sum-unit-axes", before: sum(reshape(x, [8, 1]), 1), after: x },
  { rule: "max-unit-axes", before: max(reshape(x, [1, 8]), 0), after: x },
  { rule: "sum-mask-times-constant", before: sum(mul(cast(greater(x, 0), "f64"), 0.5)), after: mul(sum(cast(greater(x, 0), "f64")), 0.5) },
  { rule: "sum-mask-times-constant", before: sum(mul(take(mask, i, 0), 3), 0), after: mul(sum(take(mask, i, 0), 0), 3) },
  // Σ₁ take(table, i) = take(Σ₁ table, i), whose sum folds; with the identity, Σ₁ onehot(i) = 1.
  { rule: "sum-of-take", before: sum(take(table, i, 0), 1), after: take(constant(tensor([Infinity, NaN], { dtype: "f64" })), i, 0) },
  { rule: "sum-of-take", before: sum(oneHot(i, 5, "f64"), 1), after: broadcastTo(constant(1, "f64"), [3]) },
  { rule: "take-uniform", before: take(broadcastTo(constant(-0, "f64"), [4, 2]), i, 0), after: broadcastTo(constant(-0, "f64"), [3, 2]) },
  { rule: "take-uniform", before: take(sameRows, i, 0), after: broadcastTo(slice(sameRows, 0, 0, 1), [3, 3]) },
  { rule: "take-uniform", before: take(sameColumns, i, 1), after: broadcastTo(slice(sameColumns, 1, 0, 1), [2, 3]) },
  { rule: "where-same", before: where(greater(x, y), exp(x), exp(x)), after: exp(x) },
  { rule: "where-constant", before: where(greater(constant(1, "f64"), 0), x, y), after: x },
  { rule: "pow-zero-one", before: add(pow(x, 1), pow(y, 0)), after: add(x, broadcastTo(constant(1, "f64"), [8])) },
];

describe("simplify", () => {
  it("has a case for every rule", () => {
    expect(new Set(cases.map((c) => c.rule))).toEqual(new Set(rules.map((r) => r.name)));
  });

  for (const { rule, before, after } of cases) {
    it(`rewrites by ${rule}, keeping every value`, () => {
      expect(simplify(before)).toBe(after);
      expectSameValues(evaluate(before, bind), evaluate(after, bind));
    });
  }

  it("moves sums over the other axes into take, wherever the indices sit", () => {
    const c = constant(tensor(Array.from({ length: 24 }, (_, k) => k * k), { dtype: "f64", shape: [2, 3, 4] }));
    const j = input("j", [2, 2], "i32");
    const ids = new Map<Expr, Tensor>([[j, tensor([[0, 1], [1, 0]], { dtype: "i32" })]]);
    for (const axis of [0, 1, 2]) {
      const others = [0, 1, 2, 3].filter((a) => a < axis || a > axis + 1);
      for (const axes of [...others.map((a) => [a]), others]) {
        for (const keepDims of [false, true]) {
          const before = sum(take(c, j, axis), axes, keepDims);
          const after = simplify(before);
          expect(after.op, `axis ${axis}, Σ over [${axes}], keepDims ${keepDims}`).toBe("take");
          expectSameValues(evaluate(before, ids), evaluate(after, ids));
        }
      }
    }
  });

  it("folds the row sums of a one-hot to 1; the one-hot itself rejects labels out of range", () => {
    const labels = input("labels", [4], "i32");
    expect(simplify(sum(oneHot(labels, 10), -1))).toBe(broadcastTo(constant(1, "f32"), [4]));
    const bad = new Map<Expr, Tensor>([[labels, tensor([3, 0, 10, 9], { dtype: "i32" })]]);
    expect(() => evaluate(oneHot(labels, 10), bad)).toThrow("oneHot: expected class labels in [0, 10), got 10 at flat position 2");
  });

  it("folds constants, into splats when all elements are equal", () => {
    const c = constant(tensor([1, 2, 3], { dtype: "f64" }));
    expect(simplify(sum(mul(c, 2)))).toBe(constant(12, "f64"));
    expect(simplify(exp(broadcastTo(constant(0, "f64"), [1000, 1000])))).toBe(broadcastTo(constant(1, "f64"), [1000, 1000]));
    expect(simplify(reciprocal(constant(tensor([0, -0], { dtype: "f64" }))))).toBe(constant(tensor([Infinity, -Infinity], { dtype: "f64" })));
    // Symbolic dimensions are no obstacle for splats.
    const b = input("b", ["batch"], "f64");
    expect(simplify(mul(b, add(broadcastTo(constant(2, "f64"), ["batch"]), -1)))).toBe(b);
  });

  it("keeps identities that fail for infinities, NaN or negative numbers", () => {
    for (const e of [mul(x, 0), sub(x, x), exp(log(x)), log(exp(x)), reciprocal(reciprocal(x)), mul(x, constant(NaN, "f64"))]) {
      expectSameValues(evaluate(e, bind), evaluate(simplify(e), bind));
    }
    expect(simplify(mul(x, 0))).toBe(mul(x, 0));
    expect(simplify(sub(x, x))).toBe(sub(x, x));
    expect(simplify(reciprocal(reciprocal(x)))).toBe(reciprocal(reciprocal(x)));
  });

  it("maps a set of outputs consistently", () => {
    const shared = mul(exp(x), 1);
    const [a, b] = simplify([add(shared, y), mul(shared, y)] as const);
    expect(a.inputs[0]).toBe(exp(x));
    expect(b.inputs[0]).toBe(a.inputs[0]);
  });

  it("never changes a value: evaluate(simplify(e)) = evaluate(e) on 300 random graphs, reaching a fixed point", () => {
    fc.assert(
      fc.property(arbitraryExpr(), ({ outputs, bindings }) => {
        const after = simplify(outputs);
        const [want, got] = [evaluate(outputs, bindings), evaluate(after, bindings)];
        want.forEach((t, i) => expectSameValues(t, got[i] as Tensor));
        // A fixed point: simplifying again changes nothing.
        simplify(after).forEach((e, i) => expect(e).toBe(after[i]));
      }),
      { numRuns: 300 },
    );
  });
});
