// The law suite, generated from the op list and the composite list: a primitive or composite
// added there is covered here without a new test. Cases come from each entry's own domain,
// driven by fast-check, so a failure shrinks to a small shape and simple values.
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Primitive, apply } from "../src/graph/primitive.js";
import { composites } from "../src/math/index.js";
import {
  type Expr, type FloatDType, type OpName, type OpParams, type Sampler, type TestCase, type Tensor,
  evaluate, input, primitives, vjp,
} from "../src/index.js";
import { assertGradients, caseArbitrary } from "../src/testing/index.js";

const RUNS = Number(process.env.LAW_RUNS ?? 100);

interface Law {
  readonly name: string;
  readonly build: (xs: readonly Expr[], params: unknown) => Expr;
  readonly domain: (s: Sampler) => TestCase<unknown>;
  /** Whether finite differences must match the gradient (false where no derivative exists or it is cut by definition). */
  readonly differentiable: boolean;
}

// Leaves have nothing to test; randomBits, compare and oneHot are piecewise constant (bits and
// bools, or integers in); stopGradient's gradient is zero by definition, not the identity's.
const leaves = new Set<OpName>(["input", "constant"]);
const notDifferentiable = new Set<string>(["randomBits", "compare", "stopGradient", "oneHot"]);

function primitiveLaw<N extends OpName>(prim: Primitive<N, OpParams[N]>): Law {
  return {
    name: prim.name,
    build: (xs, params) => apply(prim, xs, params as OpParams[N]),
    domain: prim.domain,
    differentiable: !notDifferentiable.has(prim.name),
  };
}

const laws: Law[] = [
  ...(Object.keys(primitives) as OpName[])
    .filter((name) => !leaves.has(name))
    .map((name) => primitiveLaw(primitives[name] as Primitive<OpName, OpParams[OpName]>)),
  ...composites.map((c): Law => ({ name: c.name, build: (xs, p) => c.build(xs, p), domain: c.domain, differentiable: !notDifferentiable.has(c.name) })),
];

const storage = { f32: Float32Array, f64: Float64Array, i32: Int32Array, bool: Uint8Array } as const;
const inputsFor = (values: readonly Tensor[]): Expr[] => values.map((t, i) => input(`x${i}`, t.shape, t.dtype));
const bindings = (xs: readonly Expr[], values: readonly Tensor[]): Map<Expr, Tensor> => new Map(xs.map((x, i) => [x, values[i] as Tensor]));
const floatDType = fc.constantFrom<FloatDType>("f32", "f64");

describe.each(laws)("laws of $name", (law) => {
  it("the shape rule agrees with the evaluator", () => {
    const cases = floatDType.chain((dtype) => caseArbitrary(law.domain, { dtype }));
    fc.assert(
      fc.property(cases, ({ values, params }) => {
        const xs = inputsFor(values);
        const y = law.build(xs, params);
        const out = evaluate(y, bindings(xs, values));
        expect(out.shape).toEqual(y.shape);
        expect(out.dtype).toBe(y.dtype);
        expect(out.data).toBeInstanceOf(storage[y.dtype]);
      }),
      { numRuns: RUNS },
    );
  });

  it.runIf(law.differentiable)("gradients have the inputs' shapes and dtypes", () => {
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

  // Random-direction checks (two evaluations per input) keep this cheap at any size.
  it.runIf(law.differentiable)("first- and second-order gradients match central differences in f64", () => {
    fc.assert(
      fc.property(caseArbitrary(law.domain), fc.nat(), ({ values, params }, seed) => {
        fc.pre(law.build(inputsFor(values), params).dtype === "f64");
        assertGradients((...xs) => law.build(xs, params), values, { seed, jacobianLimit: 0 });
      }),
      { numRuns: RUNS },
    );
  });
});
