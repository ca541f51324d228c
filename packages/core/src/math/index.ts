// The one list of composites, each with the domain its law tests sample (the same form as a
// primitive's). A composite listed here is covered by the law suite (test/laws.test.ts).
import type { Expr } from "../graph/expr.js";
import type { InputSpec, Sampler, TestCase } from "../graph/primitive.js";
import { unaryDomain } from "../ops/elementwise.js";
import { type ReduceParams, reduceDomain } from "../ops/reduce.js";
import type { Shape } from "../shape/shape.js";
import type { FloatDType } from "../tensor/dtype.js";
import { clip, gelu, leakyRelu, log1p, relu, softplus } from "./activations.js";
import { div, square, sub } from "./arithmetic.js";
import { mean, variance } from "./reductions.js";
import { logSoftmax, logSumExp, oneHot, softmax } from "./softmax.js";

/**
 * A composite (a function of primitives, with no rule of its own) and its test domain.
 * @example
 * const entry: Composite = { name: "square", build: ([x]) => square(x!), domain: unaryDomain(-3, 3) };
 */
export interface Composite<P = unknown> {
  readonly name: string;
  /** Builds the composite on expressions for a case's inputs. Method syntax, so one list holds any P. */
  build(inputs: readonly Expr[], params: P): Expr;
  /** Samples a valid test case: input shapes, value domains and params. */
  readonly domain: (s: Sampler) => TestCase<P>;
  /** False where no gradient flows (integer inputs): the law suite checks no derivative. True by default. */
  readonly differentiable?: boolean;
}

type NoParams = Record<string, never>;
type Unary = (x: Expr) => Expr;

const unary = (name: string, f: Unary, min: number, max: number, avoid: readonly number[] = []): Composite<NoParams> => ({
  name,
  build: ([x]) => f(x as Expr),
  domain: unaryDomain(min, max, avoid),
});

/** Two operands whose shapes broadcast: each drops some leading axes of a shape and turns some dimensions into 1. */
function broadcastDomain(a: Omit<InputSpec, "shape">, b: Omit<InputSpec, "shape">) {
  return (s: Sampler): TestCase<NoParams> => {
    const full = s.shape(0, 3);
    const operand = (): number[] => full.slice(s.int(0, full.length)).map((d) => (s.int(0, 1) ? 1 : d));
    return { inputs: [{ ...a, shape: operand() }, { ...b, shape: operand() }], params: {} };
  };
}

/** One axis of a shape of rank 1–3 (negative half the time) for the softmax family. */
function axisDomain(s: Sampler): TestCase<{ axis: number; keepDims: boolean }> {
  const shape = s.shape(1, 3);
  return { inputs: [{ shape, min: -3, max: 3 }], params: { axis: s.int(-shape.length, shape.length - 1), keepDims: s.int(0, 1) === 1 } };
}

/**
 * Every composite with its domain; adding a line here puts a composite under the law suite.
 * @example
 * for (const c of composites) console.log(c.name, c.domain(sampler).inputs.length);
 */
export const composites: readonly Composite[] = [
  { name: "sub", build: ([a, b]) => sub(a as Expr, b as Expr), domain: broadcastDomain({ min: -3, max: 3 }, { min: -3, max: 3 }) },
  { name: "div", build: ([a, b]) => div(a as Expr, b as Expr), domain: broadcastDomain({ min: -3, max: 3 }, { min: 0.5, max: 3 }) },
  unary("square", square, -3, 3),
  { name: "mean", build: ([x], p: ReduceParams) => mean(x as Expr, p.axes, p.keepDims), domain: (s) => reduceDomain(s) },
  {
    name: "variance",
    build: ([x], p: ReduceParams & { correction: number }) => variance(x as Expr, p.axes, p.keepDims, p.correction),
    domain: (s) => {
      const c = reduceDomain(s);
      const count = c.params.axes.reduce((n, a) => n * ((c.inputs[0] as InputSpec).shape[a] as number), 1);
      return { ...c, params: { ...c.params, correction: count > 1 ? s.int(0, 1) : 0 } };
    },
  },
  unary("relu", relu, -3, 3, [0]),
  { name: "leakyRelu", build: ([x], p: { alpha: number }) => leakyRelu(x as Expr, p.alpha), domain: (s) => ({ ...unaryDomain(-3, 3, [0])(s), params: { alpha: s.pick([0.01, 0.2]) } }) },
  // Beyond 20 softplus is x itself (a jump of 2e-9); at exactly 0 the kinks of max(x, 0) and
  // log(1 + e^(−|x|)) cancel in value and slope but the symbolic second derivative is 0 there.
  unary("softplus", softplus, -25, 25, [0, 20]),
  unary("log1p", log1p, -0.5, 3),
  unary("gelu", gelu, -4, 4),
  {
    name: "clip",
    build: ([x], p: { lo: number; hi: number }) => clip(x as Expr, p.lo, p.hi),
    domain: (s) => {
      const [lo, hi] = [s.pick([-2, -0.5]), s.pick([0.5, 2])];
      return { inputs: [{ shape: s.shape(0, 3), min: -3, max: 3, avoid: [lo, hi] }], params: { lo, hi } };
    },
  },
  { name: "logSumExp", build: ([x], p: { axis: number; keepDims: boolean }) => logSumExp(x as Expr<Shape, FloatDType>, p.axis, p.keepDims), domain: axisDomain },
  { name: "logSoftmax", build: ([x], p: { axis: number }) => logSoftmax(x as Expr<Shape, FloatDType>, p.axis), domain: axisDomain },
  { name: "softmax", build: ([x], p: { axis: number }) => softmax(x as Expr<Shape, FloatDType>, p.axis), domain: axisDomain },
  {
    name: "oneHot",
    differentiable: false,
    build: ([labels], p: { classes: number }) => oneHot(labels as Expr<Shape, "i32">, p.classes, "f64"),
    domain: (s) => {
      const classes = s.int(1, 5);
      return { inputs: [{ shape: s.shape(0, 2), dtype: "i32", min: 0, max: classes - 1 }], params: { classes } };
    },
  },
];
