import type { Expr } from "../graph/expr.js";
import { topoSort } from "../graph/topo.js";
import { add } from "../ops/add.js";
import { broadcastTo } from "../ops/broadcast.js";
import { concat } from "../ops/concat.js";
import { constant, scalar } from "../ops/constant.js";
import { primitiveOf } from "../ops/index.js";
import { mul } from "../ops/mul.js";
import { reshape } from "../ops/reshape.js";
import { sum } from "../ops/sum.js";
import { type Shape, ShapeError, ValueError, isConcrete, sameShape, showShape, sizeOf } from "../shape/shape.js";
import type { ScalarCheck } from "../shape/types.js";
import { type DType, isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

const zerosLike = (x: Expr): Expr => broadcastTo(scalar(0, x.dtype), x.shape);

/**
 * Reverse mode: the gradients of Σ(y·cotangent) with respect to each of `xs`, as expressions of
 * the same shapes. The walker does the bookkeeping the rules leave out: reverse topological
 * order, summing fan-out, zeros for unrelated inputs and a shape check of every rule's result.
 * @example
 * const x = input("x", [3]);
 * const [dx] = vjp(mul(x, 2), [x], constant(tensor([1, 0, 0])));
 */
export function vjp<const X extends readonly Expr[]>(y: Expr, xs: X, cotangent: Expr): { [K in keyof X]: X[K] };
export function vjp(y: Expr, xs: readonly Expr[], cotangent: Expr): Expr[] {
  for (const x of xs) {
    if (!isFloat(x.dtype))
      throw new ValueError("grad", "float inputs to differentiate with respect to", `${x.dtype} input ${showShape(x.shape)}`, "integer and bool values have no gradient");
  }
  if (!sameShape(cotangent.shape, y.shape) || cotangent.dtype !== y.dtype)
    throw new ShapeError("vjp", `a cotangent of the output's shape and dtype ${y.dtype}${showShape(y.shape)}`, `${cotangent.dtype}${showShape(cotangent.shape)}`);

  const order = topoSort([y]);
  // Only nodes on a path from some x to y need gradients.
  const targets = new Set(xs);
  const needs = new Set<Expr>();
  for (const e of order) if (targets.has(e) || e.inputs.some((i) => needs.has(i))) needs.add(e);

  const grads = new Map<Expr, Expr>([[y, cotangent]]);
  for (let k = order.length - 1; k >= 0; k--) {
    const e = order[k] as Expr;
    const g = grads.get(e);
    if (g === undefined || !needs.has(e) || e.inputs.length === 0) continue;
    const wants = e.inputs.map((i) => needs.has(i) && isFloat(i.dtype));
    if (!wants.some(Boolean)) continue;
    const parts = primitiveOf(e).vjp({ inputs: e.inputs, out: e, outGrad: g, params: e.params, wants });
    e.inputs.forEach((x, i) => {
      const gi = parts[i];
      if (!wants[i] || gi === null || gi === undefined) return;
      if (!sameShape(gi.shape, x.shape) || gi.dtype !== x.dtype)
        throw new ShapeError(
          `grad of ${e.op}`,
          `a gradient for input ${i} of shape ${x.dtype}${showShape(x.shape)}`,
          `${gi.dtype}${showShape(gi.shape)}`,
          `the VJP rule of "${e.op}" is wrong`,
        );
      const prev = grads.get(x);
      grads.set(x, prev === undefined ? gi : add(prev, gi));
    });
  }
  return xs.map((x) => grads.get(x) ?? zerosLike(x));
}

/** What `grad` differentiates: a scalar expression, or a function of one expression to a scalar. */
type Differentiable = Expr | ((x: never) => Expr);

/** `unknown` when the output (of the function) is a scalar, else a ShapeMismatch for `grad`. */
type GradCheck<Op extends string, F> = ScalarCheck<Op, F extends (x: never) => Expr<infer S> ? S : F extends Expr<infer S> ? S : Shape, "reduce it with sum or mean first, or use vjp with a cotangent">;

/** Gradients shaped like `xs`, or the gradient function x ↦ ∇f(x). */
type GradOf<F, X extends readonly Expr[]> = F extends (x: infer P) => Expr ? (x: P) => P : { [K in keyof X]: X[K] };

/**
 * The gradient of a scalar with respect to each of `xs`; or, like JAX, `grad(f)` is the function
 * x ↦ ∇f(x). A non-scalar output is a type error (and a run-time one): use `vjp` with a cotangent.
 * @example
 * const x = input("x", [3]);
 * const [dx] = grad(sum(mul(x, x)), [x]);   // Expr<[3], "f32">
 * const df = grad((v: Expr<[3], "f32">) => sum(mul(v, v)));
 */
export function grad<F extends Differentiable, const X extends readonly Expr[] = []>(y: F & GradCheck<"grad", F>, xs?: X): GradOf<F, X>;
export function grad(y: Expr | ((x: Expr) => Expr), xs?: readonly Expr[]): unknown {
  if (typeof y === "function") return (x: Expr) => gradOf(y(x), [x])[0] as Expr;
  return gradOf(y, xs ?? []);
}

function gradOf(y: Expr, xs: readonly Expr[]): readonly Expr[] {
  if (y.rank !== 0)
    throw new ShapeError("grad", "a scalar output", showShape(y.shape), "reduce it (sum, mean) first, or call vjp with a cotangent");
  return vjp(y, xs, scalar(1, y.dtype));
}

/** The value of f at x together with its gradient; f must return a scalar. */
export function valueAndGrad<S extends Shape, D extends DType, Y extends Shape>(
  f: ((x: Expr<S, D>) => Expr<Y>) & ScalarCheck<"valueAndGrad", Y, "reduce it with sum or mean first">,
): (x: Expr<S, D>) => [Expr<[]>, Expr<S, D>] {
  return (x) => {
    const y: Expr = f(x);
    return [y as Expr<[]>, gradOf(y, [x])[0] as Expr<S, D>];
  };
}

/** The Hessian-vector product H(y)·v with respect to x, by differentiating ⟨∇y, v⟩ (y a scalar). */
export function hvp<Y extends Shape, S extends Shape, D extends DType>(y: Expr<Y> & ScalarCheck<"hvp", Y, "reduce it with sum or mean first">, x: Expr<S, D>, v: Expr<S, D>): Expr<S, D> {
  const [g] = gradOf(y, [x]);
  return gradOf(sum(mul(g as Expr, v)), [x])[0] as Expr<S, D>;
}

/** The Jacobian of y with respect to x: shape [...y.shape, ...x.shape], one VJP per element of y. */
export function jacobian(y: Expr, x: Expr): Expr {
  if (!isConcrete(y.shape)) throw new ShapeError("jacobian", "an output with numeric dimensions", showShape(y.shape));
  const n = sizeOf(y.shape);
  const rows = Array.from({ length: n }, (_, i) => {
    const basis = new Tensor(y.shape, y.dtype, new (y.dtype === "f64" ? Float64Array : Float32Array)(n).fill(0));
    basis.data[i] = 1;
    const [g] = vjp(y, [x], constant(basis));
    return reshape(g as Expr, [1, ...x.shape]);
  });
  return reshape(concat(rows, 0), [...y.shape, ...x.shape]);
}

/** The Hessian of a scalar y with respect to x: shape [...x.shape, ...x.shape]. */
export function hessian<Y extends Shape>(y: Expr<Y> & ScalarCheck<"hessian", Y, "reduce it with sum or mean first">, x: Expr): Expr {
  const [g] = gradOf(y, [x]);
  return jacobian(g as Expr, x);
}
