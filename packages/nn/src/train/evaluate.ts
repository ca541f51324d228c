// Inference that stays bound: eval-mode forward programs (with a loss, for evaluation) cached per
// model and shapes, holding the parameters they were last given. A call with the same parameter
// and buffer trees as the last one copies nothing in; a call with the same shapes finds its program
// without building a signature.
import { type Batch, type DType, type Data, type Expr, type Program, type Shape, Tensor, checkTensor, compile, input } from "@typegrad/core";
import type { ModelValues } from "../checkpoint/stateDict.js";
import type { Layer } from "../layer.js";
import { dtypeOf } from "../optim/optimizer.js";
import type { Loss, LossForBatches } from "../losses.js";
import type { ApplyOut, BatchX, Checked, FeatureCheck, ValuesCheck } from "../shapes.js";
import type { Params } from "../tree.js";
import { checkBatch, checkValues } from "./check.js";
import type { Metric } from "./metrics.js";
import { sameDims } from "./session.js";
import { inputsFor, prefixed } from "./step.js";

/** An eval-mode program with its views and the trees it holds. */
interface Bound {
  readonly program: Program;
  readonly loss: Loss | undefined;
  readonly x: Data;
  readonly y: Data | undefined;
  readonly lossValue: Data | undefined;
  readonly output: Tensor;
  readonly xShape: Tensor["shape"];
  readonly xDtype: string;
  readonly yShape: Tensor["shape"] | undefined;
  readonly yDtype: string | undefined;
  params?: ModelValues["params"];
  state?: ModelValues["state"];
}

interface PerModel {
  last?: Bound;
  readonly bySignature: Map<string, Bound>;
}

const cache = new WeakMap<Layer, PerModel>();
/** A number per loss function, so programs with different losses are cached apart. */
const lossIds = new WeakMap<Loss, number>();
let nextLossId = 0;

const fits = (b: Bound, values: ModelValues, x: Tensor, y: Tensor | undefined, loss: Loss | undefined): boolean =>
  b.loss === loss &&
  b.params === values.params &&
  b.state === values.state &&
  x.dtype === b.xDtype &&
  sameDims(x.shape, b.xShape) &&
  (y === undefined || (y.dtype === b.yDtype && sameDims(y.shape, b.yShape as Tensor["shape"])));

/** Builds the eval-mode program of `model` for these shapes. */
function build(model: Layer, values: ModelValues, x: Tensor, y: Tensor | undefined, loss: Loss | undefined): Bound {
  const p = inputsFor("param", values.params);
  const s = inputsFor("state", values.state);
  const xIn = input("x", x.shape, x.dtype);
  const output = model.call(p.vars, s.vars, xIn, { mode: "eval" }).y;
  const inputs: Record<string, Expr> = { ...p.nodes, ...s.nodes, x: xIn };
  const outputs: Record<string, Expr> = { output };
  if (y !== undefined && loss !== undefined) {
    inputs.y = input("y", y.shape, y.dtype);
    outputs.loss = loss(output, inputs.y);
  }
  const program = compile(inputs, outputs);
  program.set("x", x);
  if (inputs.y) program.set("y", y as Tensor);
  return {
    program,
    loss,
    x: program.view("x"),
    y: inputs.y ? program.view("y") : undefined,
    lossValue: outputs.loss ? program.view("loss") : undefined,
    output: new Tensor(program.shapeOf("output"), output.dtype, program.view("output")),
    xShape: [...x.shape],
    xDtype: x.dtype,
    yShape: y && [...y.shape],
    yDtype: y?.dtype,
  };
}

/**
 * The bound program for these values and shapes, with the values loaded: copied in when the trees
 * differ from the ones it holds, or when `fresh` (trees over memory that changes, such as a
 * training session's) does not yet hold this program.
 */
function bound(model: Layer, values: ModelValues, x: Tensor, y: Tensor | undefined, loss: Loss | undefined, fresh?: Set<Bound>): Bound {
  const entry = cache.get(model) ?? { bySignature: new Map<string, Bound>() };
  cache.set(model, entry);
  let b = entry.last;
  if (b === undefined || !fits(b, values, x, y, loss)) {
    if (loss !== undefined && !lossIds.has(loss)) lossIds.set(loss, nextLossId++);
    const sig = `${dtypeOf(values.params, "predict", "f32")} ${x.dtype}[${x.shape.join(",")}]${y && loss ? ` ${y.dtype}[${y.shape.join(",")}] loss#${lossIds.get(loss)}` : ""}`;
    b = entry.bySignature.get(sig) ?? build(model, values, x, y, loss);
    entry.bySignature.set(sig, b);
    entry.last = b;
  }
  if (fresh ? !fresh.has(b) : b.params !== values.params || b.state !== values.state) {
    for (const [name, t] of Object.entries({ ...prefixed<Tensor>("param", values.params), ...prefixed<Tensor>("state", values.state) })) b.program.set(name, t);
    b.params = values.params;
    b.state = values.state;
    fresh?.add(b);
  }
  return b;
}

/**
 * The model's output on `x` in evaluation mode (dropout off, batch norm on running statistics),
 * compiled once per input shape. The program keeps the parameters it was last given: predicting
 * again with the same `values` copies only `x` in.
 * @example
 * const yhat = predict(model, { params, state }, x);
 */
export function predict<I extends Shape, O extends Shape, P extends Params, B extends Params, X extends Shape, V extends ModelValues = ModelValues<P, B>>(
  model: Layer<I, O, P, B>,
  values: Checked<ValuesCheck<"predict", V, P, B>, V, ModelValues<P, B>>,
  x: Tensor<X> & FeatureCheck<"predict", X, I>,
): Tensor<ApplyOut<X, I, O>>;
export function predict(model: Layer, values: ModelValues, x: Tensor): Tensor {
  checkValues(values, "predict");
  checkTensor(x, "predict", "x");
  const b = bound(model, values, x, undefined, undefined);
  b.x.set(x.data);
  b.program.execute();
  return new Tensor(b.output.shape, b.output.dtype, b.output.data.slice());
}

/** Options of `evaluateModel`. */
export interface EvaluateOptions<L = Loss> {
  /** The loss; `evaluateModel` checks it against the model's output and the batches' y (L). */
  readonly loss?: L;
  readonly metrics?: readonly Metric[];
}

/**
 * Runs the model in evaluation mode over batches and returns the mean loss and metrics per sample.
 * @example
 * evaluateModel(model, { params, state }, testBatches, { loss: crossEntropy, metrics: [accuracy] });   // { loss, accuracy }
 */
export function evaluateModel<
  I extends Shape,
  O extends Shape,
  P extends Params,
  B extends Params,
  // DX and DY only keep the batches' dtypes from being read as Batch's DType while Bt is inferred.
  DX extends DType,
  DY extends DType,
  Bt extends Batch<Shape, Shape, DX, DY>,
  V extends ModelValues = ModelValues<P, B>,
>(
  model: Layer<I, O, P, B>,
  values: Checked<ValuesCheck<"evaluateModel", V, P, B>, V, ModelValues<P, B>>,
  batches: Iterable<Bt> & FeatureCheck<"evaluateModel", BatchX<Bt>, I>,
  options?: EvaluateOptions<NoInfer<LossForBatches<Bt, I, O>>>,
): Record<string, number>;
export function evaluateModel(model: Layer, values: ModelValues, batches: Iterable<Batch>, options: EvaluateOptions = {}): Record<string, number> {
  return evaluateWith(model, values, batches, options, false);
}

/** `evaluateModel`; with `fresh`, the values are copied into each program once per call (they live in a training session's memory). */
export function evaluateWith(model: Layer, values: ModelValues, batches: Iterable<Batch>, options: EvaluateOptions, fresh: boolean): Record<string, number> {
  const { loss, metrics = [] } = options;
  const sums = new Float64Array(metrics.length);
  let lossSum = 0;
  let count = 0;
  const loaded = fresh ? new Set<Bound>() : undefined;
  checkValues(values, "evaluateModel");
  for (const batch of batches) {
    checkBatch(batch, "evaluateModel");
    const b = bound(model, values, batch.x, loss && batch.y, loss, loaded);
    b.x.set(batch.x.data);
    if (b.y) b.y.set(batch.y.data);
    b.program.execute();
    const size = batch.size ?? (batch.x.shape[0] as number);
    if (b.lossValue) lossSum += (b.lossValue[0] as number) * size;
    for (let i = 0; i < metrics.length; i++) sums[i] = (sums[i] as number) + (metrics[i] as Metric).total(b.output, batch.y, size);
    count += size;
  }
  const result: Record<string, number> = loss ? { loss: lossSum / count } : {};
  metrics.forEach((m, i) => (result[m.name] = (sums[i] as number) / count));
  return result;
}
