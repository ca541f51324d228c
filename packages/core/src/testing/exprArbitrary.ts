// Random well-formed expression graphs for property tests. A graph is grown from a list of
// steps, each applying a primitive or a composite to nodes built so far, so subexpressions are
// shared as soon as a step reuses a node; fast-check shrinks the steps and the values.
import * as fc from "fast-check";
import type { Expr } from "../graph/expr.js";
import { grad } from "../autodiff/grad.js";
import { inputsOf } from "../graph/topo.js";
import { abs } from "../ops/abs.js";
import { add } from "../ops/add.js";
import { broadcastTo } from "../ops/broadcast.js";
import { greater } from "../ops/compare.js";
import { constant } from "../ops/constant.js";
import { cos } from "../ops/cos.js";
import { exp } from "../ops/exp.js";
import { input } from "../ops/input.js";
import { log } from "../ops/log.js";
import { matmul } from "../ops/matmul.js";
import { max } from "../ops/max.js";
import { maximum } from "../ops/maximum.js";
import { minimum } from "../ops/minimum.js";
import { mul } from "../ops/mul.js";
import { neg } from "../ops/neg.js";
import { pow } from "../ops/pow.js";
import { reciprocal } from "../ops/reciprocal.js";
import { reshape } from "../ops/reshape.js";
import { sigmoid } from "../ops/sigmoid.js";
import { sign } from "../ops/sign.js";
import { sin } from "../ops/sin.js";
import { slice } from "../ops/slice.js";
import { sqrt } from "../ops/sqrt.js";
import { stopGradient } from "../ops/stopGradient.js";
import { sum } from "../ops/sum.js";
import { tanh } from "../ops/tanh.js";
import { transpose } from "../ops/transpose.js";
import { where } from "../ops/where.js";
import { clip, relu, softplus } from "../math/activations.js";
import { div, square, sub } from "../math/arithmetic.js";
import { mean } from "../math/reductions.js";
import { logSumExp, softmax } from "../math/softmax.js";
import type { ConcreteShape, Shape } from "../shape/shape.js";
import { sizeOf } from "../shape/shape.js";
import type { FloatDType } from "../tensor/dtype.js";
import { Tensor, tensor } from "../tensor/tensor.js";

/** Options of `arbitraryExpr`. */
export interface ExprArbitraryOptions {
  /** The input leaves: name → shape (default `{ x: [2, 3], y: [3] }`). */
  readonly inputs?: Readonly<Record<string, ConcreteShape>>;
  /** Float dtype of every node (default f64). */
  readonly dtype?: FloatDType;
  /** At most this many steps, each building one node or small composite (default 8). */
  readonly maxSteps?: number;
  /** At most this many outputs, the last nodes built that no other node uses (default 3). */
  readonly outputs?: number;
  /** Whether steps may take gradients of what was built (default true). */
  readonly grad?: boolean;
  /** Whether values include ±0, ±∞ and NaN besides ordinary numbers (default true). */
  readonly special?: boolean;
}

/** A random graph: its outputs and a tensor for every input leaf. */
export interface RandomGraph {
  readonly outputs: readonly Expr[];
  /** The first output. */
  readonly expr: Expr;
  readonly bindings: ReadonlyMap<Expr, Tensor>;
}

interface Step {
  readonly op: number;
  readonly a: number;
  readonly b: number;
  readonly k: number;
}

const SPECIAL = [0, -0, 1, -1, 2, -3, 0.5, Infinity, -Infinity, NaN];

/** Whether shapes broadcast together. */
const fits = (a: ConcreteShape, b: ConcreteShape): boolean => {
  for (let i = 1; i <= Math.min(a.length, b.length); i++) {
    const [x, y] = [a[a.length - i], b[b.length - i]];
    if (x !== y && x !== 1 && y !== 1) return false;
  }
  return true;
};

type Build = (a: Expr, pick: (fit: (e: Expr) => boolean) => Expr, k: number) => Expr | undefined;
/** Every node the arbitrary builds is of a float dtype. */
const float = (e: Expr): Expr<Shape, FloatDType> => e as Expr<Shape, FloatDType>;
const shapeOf = (e: Expr): ConcreteShape => e.shape as ConcreteShape;
const unary = (f: (x: Expr) => Expr): Build => (a) => f(a);
const binary = (f: (x: Expr, y: Expr) => Expr): Build => (a, pick) => f(a, pick((e) => fits(shapeOf(a), shapeOf(e))));
const axisOf = (a: Expr, k: number): number | undefined => (a.rank === 0 ? undefined : k % a.rank);
const along = (f: (x: Expr, axis: number) => Expr): Build => (a, _pick, k) => {
  const axis = axisOf(a, k);
  return axis === undefined ? undefined : f(a, axis);
};

/** What one step may build: primitives, composites and moves, on compatible operands. */
const BUILDS: readonly Build[] = [
  unary(neg), unary(exp), unary(log), unary(sqrt), unary(reciprocal), unary(sigmoid), unary(tanh), unary(abs), unary(sign),
  unary(sin), unary(cos), unary(stopGradient), unary(square), unary(relu), unary((x) => softplus(x)), unary((x) => clip(x, -1, 1)),
  binary(add), binary(sub), binary(mul), binary(div), binary(pow), binary(maximum), binary(minimum),
  binary((x, y) => where(greater(x, y), x, y)),
  along((x, axis) => sum(x, axis)), along((x, axis) => max(x, axis, true)), along((x, axis) => mean(x, axis)),
  along((x, axis) => logSumExp(float(x), axis)), along((x, axis) => softmax(float(x), axis)),
  unary((x) => reshape(x, [sizeOf(shapeOf(x))])), unary((x) => reshape(x, [1, ...x.shape])), unary((x) => broadcastTo(x, [2, ...x.shape])),
  (a) => (a.rank >= 2 ? transpose(a) : undefined),
  along((x, axis) => slice(x, axis, 0, 1)),
  (a) => (a.rank === 2 ? matmul(a, transpose(a)) : undefined),
];

/**
 * Random expression graphs over input leaves of given shapes, with scalar and tensor constants
 * (negatives, zeros, ±∞ and NaN among them), shared subexpressions and, optionally, gradients;
 * every input is bound to random values, so `evaluate(g.outputs, g.bindings)` always runs.
 * @example
 * fc.assert(fc.property(arbitraryExpr({ maxSteps: 6 }), (g) => {
 *   expect(evaluate(simplify(g.expr), g.bindings)).toEqual(evaluate(g.expr, g.bindings));
 * }));
 */
export function arbitraryExpr(options: ExprArbitraryOptions = {}): fc.Arbitrary<RandomGraph> {
  const dtype = options.dtype ?? "f64";
  const shapes = Object.entries(options.inputs ?? { x: [2, 3], y: [3] });
  const ordinary = fc.double({ min: -4, max: 4, noNaN: true });
  const value = options.special === false ? ordinary : fc.oneof({ arbitrary: fc.constantFrom(...SPECIAL), weight: 1 }, { arbitrary: ordinary, weight: 2 });
  const values = (shape: ConcreteShape): fc.Arbitrary<number[]> => fc.array(value, { minLength: sizeOf(shape), maxLength: sizeOf(shape) });
  const step: fc.Arbitrary<Step> = fc.record({ op: fc.nat(), a: fc.nat(), b: fc.nat(), k: fc.nat() });
  const first = shapes[0]?.[1] ?? [];
  return fc
    .tuple(
      fc.array(step, { minLength: 1, maxLength: options.maxSteps ?? 8 }),
      fc.array(value, { minLength: 1, maxLength: 3 }),
      values(first),
      fc.tuple(...shapes.map(([, shape]) => values(shape))),
    )
    .map(([steps, scalars, tensorConstant, inputValues]) => {
      const leaves = shapes.map(([name, shape]) => input(name, shape, dtype));
      const pool: Expr[] = [
        ...leaves,
        ...scalars.map((v) => constant(v, dtype)),
        constant(tensor(tensorConstant, { shape: first, dtype })),
      ];
      const gradient: Build = (a, _pick, k) => {
        const wrt = [...inputsOf([a]).values()];
        return wrt.length === 0 ? undefined : grad(sum(a), [wrt[k % wrt.length] as Expr])[0];
      };
      for (const { op, a, b, k } of steps) {
        // Constants enter as second operands, so most nodes depend on an input.
        const firsts = pool.filter((e) => e.op !== "constant");
        const x = firsts[a % firsts.length] as Expr;
        const pick = (fit: (e: Expr) => boolean): Expr => {
          const options = pool.filter(fit);
          return options[b % options.length] as Expr;
        };
        // One step in eight takes a gradient, when allowed.
        const build = options.grad !== false && op % 8 === 7 ? gradient : (BUILDS[op % BUILDS.length] as Build);
        const y = build(x, pick, k);
        if (y !== undefined) pool.push(y);
      }
      // The outputs: the last nodes nothing else was built from, so few steps are dead.
      const used = new Set(pool.flatMap((e) => e.inputs));
      const sinks = pool.filter((e) => !used.has(e));
      const outputs = sinks.slice(-(options.outputs ?? 3));
      const bindings = new Map(leaves.map((leaf, i) => [leaf, tensor(inputValues[i] as number[], { shape: shapeOf(leaf), dtype })] as const));
      return { outputs, expr: outputs[0] as Expr, bindings };
    });
}
