import type { OpName, OpParams } from "../ops/index.js";
import type { ConcreteShape, Shape } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import type { Tensor } from "../tensor/tensor.js";
import { checkExpr } from "./check.js";
import { Expr, intern } from "./expr.js";

/** What a reference evaluator is asked to produce. */
export interface OutSpec {
  readonly shape: ConcreteShape;
  readonly dtype: DType;
}

/** The arguments of a VJP rule. `wants[i]` says whether input i needs a gradient at all. */
export interface VjpArgs<P> {
  readonly inputs: readonly Expr[];
  readonly out: Expr;
  readonly outGrad: Expr;
  readonly params: P;
  readonly wants: readonly boolean[];
}

/**
 * How a node prints as math. Precedence: 1 additive (prefix minus too, as −x reads 0 − x),
 * 2 multiplicative, 3 power. `transparent` prints its first input only (broadcast, cast);
 * `custom` builds self-delimited text itself (an atom such as |x| or Σ(x)), from its operands'
 * text, parenthesised first when `atomArgs` says so (for postfix forms such as xᵀ); it prints as
 * its first input when `transparentWhen` holds.
 */
export type PrintForm<P> =
  | { readonly kind: "call"; readonly name: string; readonly latex: string }
  | { readonly kind: "prefix"; readonly symbol: string; readonly latex: string; readonly prec: number }
  | { readonly kind: "infix"; readonly symbol: string; readonly latex: string; readonly prec: number }
  | { readonly kind: "transparent" }
  | {
      readonly kind: "custom";
      readonly text: (args: readonly string[], params: P, inputs: readonly Expr[]) => string;
      readonly latex: (args: readonly string[], params: P, inputs: readonly Expr[]) => string;
      readonly atomArgs?: boolean;
      /** Precedence of the printed text (default: an atom); arguments of no higher precedence are bracketed. */
      readonly prec?: number;
      readonly transparentWhen?: (params: P, inputs: readonly Expr[]) => boolean;
    };

/** A source of random choices for test cases, kept free of any test library. */
export interface Sampler {
  /** An integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(choices: readonly T[]): T;
  /** A shape of rank in [minRank, maxRank] with dimensions in [1, 4]. */
  shape(minRank: number, maxRank: number): number[];
}

/** One input of a test case: its shape, dtype and the interval its values are drawn from. */
export interface InputSpec {
  readonly shape: readonly number[];
  readonly dtype?: DType;
  readonly min?: number;
  readonly max?: number;
  /** Points where the op is not differentiable; values are kept at least 0.1 away. */
  readonly avoid?: readonly number[];
  /**
   * Keep values of different elements at least 0.1 apart (ties break max and sort), across all
   * distinct inputs of a case (ties between operands break maximum and minimum); when [min, max]
   * is too narrow for that, they are spread evenly instead.
   */
  readonly distinct?: boolean;
}

export interface TestCase<P> {
  readonly inputs: readonly InputSpec[];
  readonly params: P;
}

/**
 * How the compiler runs a primitive:
 * - `leaf`: input or constant, stored in the arena for the program's lifetime;
 * - `alias`: moves no element (reshape, stopGradient), so it shares its input's storage;
 * - `view`: a strided view of its input (broadcast, transpose, slice), read in place by kernels;
 * - `elementwise`: fused with its neighbours into one loop;
 * - `reduce`: ends a fused loop (a trailing reduction);
 * - `kernel`: runs as a step of its own (matmul, gathers, joins, random bits).
 */
export type Role = "leaf" | "alias" | "view" | "elementwise" | "reduce" | "kernel";

/**
 * What the compiler, the simplifier and the law suite need to know of a primitive, declared in
 * its own file so that no other table lists ops.
 */
export interface Traits {
  readonly role: Role;
  /** A few instructions per element: a fused kernel recomputes it rather than store it (elementwise only). */
  readonly cheap: boolean;
  /**
   * How a splat (a constant of one repeated value) passes through: `map` gives the splat of the
   * op applied to the values (elementwise), `move` the same splat (ops that only move elements),
   * `none` needs evaluation.
   */
  readonly splat: "map" | "move" | "none";
  /** False where no gradient flows by definition (bits, booleans, stopGradient): the law suite checks no derivative. */
  readonly differentiable: boolean;
}

/**
 * Everything about one primitive: shape rule, reference evaluator, VJP rule (written with ops, so
 * gradients are graphs), print form, traits and the domain its law tests sample.
 */
export interface Primitive<N extends OpName, P> {
  readonly name: N;
  /** Result shape and dtype; throws ShapeError or ValueError naming the op. Runs when a node is built. */
  readonly infer: (inputs: readonly Expr[], params: P) => { readonly shape: Shape; readonly dtype: DType };
  /** Reference evaluation in plain JavaScript (double precision, rounded to the dtype). */
  readonly evaluate: (inputs: readonly Tensor[], params: P, out: OutSpec) => Tensor;
  /** One gradient per input (null where none flows: integer inputs, piecewise-constant ops). */
  readonly vjp: (args: VjpArgs<P>) => readonly (Expr | null)[];
  readonly print: PrintForm<P>;
  /** How the compiler, the simplifier and the law suite treat it. */
  readonly traits: Traits;
  /** Samples a valid test case: input shapes, value domains and params. */
  readonly domain: (s: Sampler) => TestCase<P>;
  /** Hash-consing key of the params; JSON by default. */
  readonly paramsKey?: (params: P) => string;
}

/** Makes (or finds) the node `prim(inputs; params)`, running the shape rule first. */
export function apply<N extends OpName>(prim: Primitive<N, OpParams[N]>, inputs: readonly Expr[], params: OpParams[N]): Expr {
  inputs.forEach((x, i) => checkExpr(x, prim.name, inputs.length === 1 ? "its operand" : `operand ${i + 1}`));
  const key = `${prim.name}(${inputs.map((x) => x.id).join(",")};${prim.paramsKey ? prim.paramsKey(params) : JSON.stringify(params)})`;
  return intern(key, () => {
    const { shape, dtype } = prim.infer(inputs, params);
    return new Expr(prim.name, inputs, params, shape, dtype);
  });
}
