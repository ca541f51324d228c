// The law suite, generated from the op list and the composite list: a primitive or composite
// added there is covered here without a new test. Cases come from each entry's own domain,
// driven by fast-check, so a failure shrinks to a small shape and simple values.
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Primitive, apply } from "../src/graph/primitive.js";
import {
  type DType, type Expr, type OpName, type OpParams, type Sampler, type TestCase, type Tensor,
  ShapeError, ValueError, cast, composites, evaluate, full, input, primitives, vjp,
} from "../src/index.js";
import { isFloat } from "../src/tensor/dtype.js";
import { assertGradients, caseArbitrary } from "../src/testing/index.js";

const RUNS = Number(process.env.LAW_RUNS ?? 100);

interface Law {
  readonly name: string;
  readonly build: (xs: readonly Expr[], params: unknown) => Expr;
  readonly domain: (s: Sampler) => TestCase<unknown>;
  /** Whether finite differences must match the gradient (false where no derivative exists or it is cut by definition). */
  readonly differentiable: boolean;
}

// Leaves have nothing to test. Each op's file says whether it is differentiable (randomBits and
// compare are piecewise constant; stopGradient's gradient is zero by definition), and so does
// each composite's entry (oneHot takes integers).
function primitiveLaw<N extends OpName>(prim: Primitive<N, OpParams[N]>): Law {
  return {
    name: prim.name,
    build: (xs, params) => apply(prim, xs, params as OpParams[N]),
    domain: prim.domain,
    differentiable: prim.traits.differentiable,
  };
}

const laws: Law[] = [
  ...Object.values(primitives)
    .filter((prim) => prim.traits.role !== "leaf")
    .map((prim) => primitiveLaw(prim as Primitive<OpName, OpParams[OpName]>)),
  ...composites.map((c): Law => ({ name: c.name, build: (xs, p) => c.build(xs, p), domain: c.domain, differentiable: c.differentiable ?? true })),
];

const storage = { f32: Float32Array, f64: Float64Array, i32: Int32Array, bool: Uint8Array } as const;
const inputsFor = (values: readonly Tensor[]): Expr[] => values.map((t, i) => input(`x${i}`, t.shape, t.dtype));
const bindings = (xs: readonly Expr[], values: readonly Tensor[]): Map<Expr, Tensor> => new Map(xs.map((x, i) => [x, values[i] as Tensor]));
const anyDType = fc.constantFrom<DType>("f32", "f64", "i32", "bool");

/** The law's node, or undefined when its shape rule refuses integer or bool operands. */
function buildIfAccepted(law: Law, xs: readonly Expr[], params: unknown, dtype: DType): Expr | undefined {
  try {
    return law.build(xs, params);
  } catch (e) {
    if (!isFloat(dtype) && (e instanceof ShapeError || e instanceof ValueError)) return undefined;
    throw e;
  }
}

describe.each(laws)("laws of $name", (law) => {
  // Open dtypes are drawn from all four; a shape rule may refuse i32 and bool (float-only ops),
  // but whatever it accepts must evaluate to its shape and dtype, with valid bools.
  it("the shape rule agrees with the evaluator, for every dtype it accepts; nodes are shared", () => {
    const cases = anyDType.chain((dtype) => caseArbitrary(law.domain, { dtype }).map((c) => ({ ...c, dtype })));
    fc.assert(
      fc.property(cases, ({ values, params, dtype }) => {
        const xs = inputsFor(values);
        const y = buildIfAccepted(law, xs, params, dtype);
        fc.pre(y !== undefined);
        const out = evaluate(y, bindings(xs, values));
        expect(out.shape).toEqual(y.shape);
        expect(out.dtype).toBe(y.dtype);
        expect(out.data).toBeInstanceOf(storage[y.dtype]);
        if (y.dtype === "bool") expect(out.data.every((v) => v === 0 || v === 1)).toBe(true);
        // Hash-consing: building it again gives the same node.
        expect(law.build(xs, params)).toBe(y);
      }),
      { numRuns: RUNS },
    );
  });

  if (law.differentiable) it("gradients have the inputs' shapes and dtypes", () => {
    fc.assert(
      fc.property(caseArbitrary(law.domain), ({ values, params }) => {
        const xs = inputsFor(values);
        const y = law.build(xs, params);
        fc.pre(y.dtype === "f64");
        const wrt = xs.filter((x) => x.dtype === "f64");
        const grads = vjp(y, wrt, input("cotangent", y.shape, y.dtype));
        grads.forEach((g, i) => {
          expect(g.shape).toEqual(wrt[i]?.shape);
          expect(g.dtype).toBe("f64");
        });
      }),
      { numRuns: RUNS },
    );
  });

  // Random-direction checks (two evaluations per input) keep this cheap at any size. Cases whose
  // result is not f64 (a cast to f32) are skipped: f32 rounding would swamp the differences.
  if (law.differentiable) it("first- and second-order gradients match central differences in f64", () => {
    fc.assert(
      fc.property(caseArbitrary(law.domain), fc.nat(), ({ values, params }, seed) => {
        fc.pre(law.build(inputsFor(values), params).dtype === "f64");
        assertGradients((...xs) => law.build(xs, params), values, { seed, jacobianLimit: 0 });
      }),
      { numRuns: RUNS },
    );
  });

  // Where no derivative flows (bits, bools, integer inputs, a cut), the gradient of every float
  // input is exactly zero (integer results are cast to f64 first), and integer inputs are refused.
  if (!law.differentiable)
    it("no gradient flows: zero for float inputs, integer inputs refused", () => {
      fc.assert(
        fc.property(caseArbitrary(law.domain, { dtype: "f64" }), ({ values, params }) => {
          const xs = inputsFor(values);
          const built = law.build(xs, params);
          const y = built.dtype === "f64" ? built : cast(built, "f64");
          const cotangent = input("cotangent", y.shape, "f64");
          const floats = xs.filter((x) => x.dtype === "f64");
          const bound = new Map<Expr, Tensor>([...xs.map((x, i): [Expr, Tensor] => [x, values[i] as Tensor]), [cotangent, full(y.shape as number[], 1, "f64")]]);
          for (const g of vjp(y, floats, cotangent)) expect(Array.from(evaluate(g, bound).data).every((v) => v === 0)).toBe(true);
          for (const x of xs.filter((e) => e.dtype !== "f64")) expect(() => vjp(y, [x], cotangent)).toThrow(/no gradient/);
        }),
        { numRuns: RUNS },
      );
    });
});
