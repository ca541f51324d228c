// Losses, each the mean over the batch by default (PyTorch's reduction "mean"), written with
// stable formulas: log-softmax through logSumExp, and BCE on logits without forming σ(x).
import { type AllAgree, type Batch, type DType, type DTypeAgree, type Expr, type IsTuple, type Mutable, type OperandDType, type OperandShape, type SameShapeCheck, type ShapeMismatch, type ShapeMismatchUnless, type ShowShape, type Shape, ShapeError, ValueError, checkExpr, abs, add, exp, log1p, logSoftmax, maximum, mean, mul, neg, oneHot, square, sub, sum, sameShape, showShape } from "@typegrad/core";
import type { ApplyOut } from "./shapes.js";

/** How per-element (or per-sample) losses are combined. */
export type Reduction = "mean" | "sum" | "none";

/** A loss: predictions and targets to a scalar (or per-sample values with reduction "none"). */
export type Loss = (prediction: Expr, target: Expr) => Expr;

/** A loss that takes predictions P and targets T: what `fit` and `evaluateModel` check their `loss` against (P: the model's output). */
export type LossFor<P extends Expr, T extends Expr> = (prediction: P, target: T) => Expr;

/**
 * The loss batches of type Bt ask for, for a model with features I → O: for each kind of batch
 * (a union when batches have several literal shapes), predictions of the model's output on its x
 * and targets its y; any `Loss` for batches typed only as `Batch`.
 */
export type LossForBatches<Bt, I extends Shape, O extends Shape> = Batch extends Bt
  ? Loss
  : Intersection<Bt extends Batch<infer X, infer Y, infer DX, infer DY> ? LossFor<Expr<ApplyOut<X, I, O>, DX>, Expr<Mutable<Y>, DY>> : never>;
type Intersection<U> = (U extends unknown ? (k: U) => void : never) extends (k: infer I) => void ? I : never;

/** The result of a loss: a scalar, or per-sample values of shape S with reduction "none". */
type LossOut<R extends Reduction, S extends Shape, D> = Expr<R extends "none" ? S : [], D extends DType ? D : DType>;

/** `unknown` when predictions and targets share shape and dtype (or that waits for run time), else a ShapeMismatch. */
type PairCheck<Op extends string, P, T> =
  DTypeAgree<OperandDType<P>, OperandDType<T>> extends true
    ? SameShapeCheck<Op, OperandShape<P>, OperandShape<T>, "predictions and targets">
    : ShapeMismatch<`${Op}: expected predictions and targets of one dtype, got ${OperandDType<P>} and ${OperandDType<T>}`>;

/** S without its last dimension (the class axis of logits). */
type Rows<S extends Shape> = S extends readonly [...infer H extends Shape, unknown] ? H : Shape;

/**
 * `unknown` when targets fit logits [...B, C]: i32 labels [...B], or targets [...B, C] of the
 * logits' dtype (a dtype or shape left open waits for run time); else a ShapeMismatch naming both.
 */
type CrossEntropyCheck<L, T, SL extends Shape = OperandShape<L>, ST extends Shape = OperandShape<T>, DT = OperandDType<T>> =
  IsTuple<SL> extends true
    ? IsTuple<ST> extends true
      ? ShapeMismatchUnless<
          `crossEntropy: expected i32 labels ${ShowShape<Rows<SL>>} or ${OperandDType<L>} targets ${ShowShape<SL>} for logits ${ShowShape<SL>}, got ${DT & string}${ShowShape<ST>}`,
          TargetsFit<SL, ST, OperandDType<L>, DT>
        >
      : unknown
    : unknown;
/** Whether targets of shape ST and dtype DT fit logits SL of dtype DL (see CrossEntropyCheck). */
type TargetsFit<SL extends Shape, ST extends Shape, DL, DT> = [DT] extends ["i32"]
  ? AllAgree<Rows<SL>, ST>
  : DTypeAgree<DL, DT> extends true
    ? [DT] extends ["bool"]
      ? false
      : AllAgree<SL, ST> extends true
        ? true
        : DTypeAgree<DT, "i32"> extends true
          ? AllAgree<Rows<SL>, ST>
          : false
    : false;

const reduce = (x: Expr, reduction: Reduction): Expr => (reduction === "mean" ? mean(x) : reduction === "sum" ? sum(x) : x);

function checkSame(op: string, a: Expr, b: Expr): void {
  checkExpr(a, op, "the predictions (or logits)");
  checkExpr(b, op, "the targets");
  if (!sameShape(a.shape, b.shape)) throw new ShapeError(op, "predictions and targets of one shape", `${showShape(a.shape)} and ${showShape(b.shape)}`);
}

/**
 * Mean squared error, mean over all elements (nn.MSELoss).
 * @example
 * mse(model.apply(params, x, ctx), y);
 */
export function mse<P extends Expr, T extends Expr, R extends Reduction = "mean">(
  prediction: P,
  target: T & PairCheck<"mse", P, T>,
  reduction?: R,
): LossOut<R, OperandShape<P>, OperandDType<P>>;
export function mse(prediction: Expr, target: Expr, reduction: Reduction = "mean"): Expr {
  checkSame("mse", prediction, target);
  return reduce(square(sub(prediction, target)), reduction);
}

/**
 * Softmax cross-entropy from logits [..., C] (F.cross_entropy): targets are integer class labels
 * (i32, shape [...]) or class probabilities such as one-hot rows (shape [..., C]). The mean is
 * over samples.
 * @example
 * crossEntropy(logits, input("labels", ["batch"], "i32"));
 */
export function crossEntropy<L extends Expr, T extends Expr, R extends Reduction = "mean">(
  logits: L,
  target: T & CrossEntropyCheck<L, T>,
  reduction?: R,
): LossOut<R, Rows<OperandShape<L>>, OperandDType<L>>;
export function crossEntropy(logits: Expr, target: Expr, reduction: Reduction = "mean"): Expr {
  checkExpr(logits, "crossEntropy", "the logits");
  checkExpr(target, "crossEntropy", "the targets");
  const classes = logits.shape[logits.rank - 1];
  if (logits.rank === 0 || typeof classes !== "number") throw new ShapeError("crossEntropy", "logits [..., C] with a numeric class count", showShape(logits.shape));
  let probs: Expr;
  const rows = logits.shape.slice(0, -1);
  if (target.dtype !== "i32" && sameShape(target.shape, rows))
    throw new ValueError("crossEntropy", `integer (i32) class labels of shape ${showShape(rows)}, or class probabilities of shape ${showShape(logits.shape)}`, `${target.dtype} ${showShape(target.shape)}`, `cast(labels, "i32") if they hold class indices`);
  if (target.dtype === "i32") {
    if (!sameShape(target.shape, rows)) throw new ShapeError("crossEntropy", `labels of shape ${showShape(rows)}`, showShape(target.shape), "one integer label per row of logits");
    probs = oneHot(target as Expr<Shape, "i32">, classes, logits.dtype === "f64" ? "f64" : "f32", "crossEntropy");
  } else {
    checkSame("crossEntropy", logits, target);
    if (target.dtype !== logits.dtype) throw new ValueError("crossEntropy", `targets of dtype ${logits.dtype} or i32 labels`, target.dtype);
    probs = target;
  }
  return reduce(neg(sum(mul(probs, logSoftmax(logits)), -1)), reduction);
}

/**
 * Binary cross-entropy from logits (F.binary_cross_entropy_with_logits), mean over elements:
 * max(x, 0) − x·y + log1p(e^(−|x|)), finite for any x and accurate in the tails.
 * @example
 * binaryCrossEntropy(logits, targets);
 */
export function binaryCrossEntropy<P extends Expr, T extends Expr, R extends Reduction = "mean">(
  logits: P,
  target: T & PairCheck<"binaryCrossEntropy", P, T>,
  reduction?: R,
): LossOut<R, OperandShape<P>, OperandDType<P>>;
export function binaryCrossEntropy(logits: Expr, target: Expr, reduction: Reduction = "mean"): Expr {
  checkSame("binaryCrossEntropy", logits, target);
  const perElement = add(sub(maximum(logits, 0), mul(logits, target)), log1p(exp(neg(abs(logits)))));
  return reduce(perElement, reduction);
}
