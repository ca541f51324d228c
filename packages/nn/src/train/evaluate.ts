import { type Expr, type Program, type Shape, Tensor, compile, input } from "@typegrad/core";
import type { ModelValues } from "../checkpoint/stateDict.js";
import type { Layer } from "../layer.js";
import type { ApplyOut, FeatureCheck } from "../shapes.js";
import { type Params, flatten } from "../tree.js";
import type { Metric } from "./metrics.js";
import { type Batch, inputsFor, prefixed } from "./step.js";
import type { Loss } from "../losses.js";

/** Compiled eval-mode forward passes (and losses) of one model, per input shape. */
const cache = new WeakMap<Layer, Map<string, Program>>();

/** A number per loss function, so programs with different losses are cached apart. */
const lossIds = new WeakMap<Loss, number>();
let nextLossId = 0;

/** The compiled forward program for these shapes, with `values` loaded unless it is in `loaded`. */
function forward(model: Layer, values: ModelValues, x: Tensor, y?: Tensor, loss?: Loss, loaded?: Set<Program>): Program {
  if (loss && !lossIds.has(loss)) lossIds.set(loss, nextLossId++);
  const sig = `${Object.values(flatten(values.params))[0]?.dtype} ${x.dtype}[${x.shape.join(",")}]${y && loss ? `→${y.dtype}[${y.shape.join(",")}] loss#${lossIds.get(loss)}` : ""}`;
  const perModel = cache.get(model) ?? new Map<string, Program>();
  cache.set(model, perModel);
  let program = perModel.get(sig);
  if (program === undefined) {
    const p = inputsFor("param", values.params);
    const s = inputsFor("state", values.state);
    const xIn = input("x", x.shape, x.dtype);
    const output = model.call(p.vars, s.vars, xIn, { mode: "eval" }).y;
    const yIn = y && loss ? input("y", y.shape, y.dtype) : undefined;
    const outputs: Record<string, Expr> = { output };
    if (yIn && loss) outputs.loss = loss(output, yIn);
    const inputs: Record<string, Expr> = { ...p.nodes, ...s.nodes, x: xIn };
    if (yIn) inputs.y = yIn;
    program = compile(inputs, outputs);
    perModel.set(sig, program);
  }
  if (loaded?.has(program)) return program;
  for (const [name, t] of Object.entries({ ...prefixed<Tensor>("param", values.params), ...prefixed<Tensor>("state", values.state) })) program.set(name, t);
  loaded?.add(program);
  return program;
}

/**
 * The model's output on `x` in evaluation mode (dropout off, batch norm on running statistics),
 * compiled once per input shape.
 * @example
 * const yhat = predict(model, { params, state }, x);
 */
export function predict<I extends Shape, O extends Shape, P extends Params, B extends Params, X extends Shape>(
  model: Layer<I, O, P, B>,
  values: ModelValues<P, B>,
  x: Tensor<X> & FeatureCheck<"predict", X, I>,
): Tensor<ApplyOut<X, I, O>>;
export function predict(model: Layer, values: ModelValues, x: Tensor): Tensor {
  const program = forward(model, values, x);
  program.set("x", x).execute();
  return program.get("output");
}

/** Options of `evaluateModel`. */
export interface EvaluateOptions {
  readonly loss?: Loss;
  readonly metrics?: readonly Metric[];
}

/**
 * Runs the model in evaluation mode over batches and returns the mean loss and metrics per sample.
 * @example
 * evaluateModel(model, { params, state }, testBatches, { loss: crossEntropy, metrics: [accuracy] });   // { loss, accuracy }
 */
export function evaluateModel<I extends Shape, P extends Params, B extends Params, X extends Shape, Y extends Shape>(
  model: Layer<I, Shape, P, B>,
  values: ModelValues<P, B>,
  batches: Iterable<Batch<X, Y>> & FeatureCheck<"evaluateModel", X, I>,
  options?: EvaluateOptions,
): Record<string, number>;
export function evaluateModel(model: Layer, values: ModelValues, batches: Iterable<Batch>, options: EvaluateOptions = {}): Record<string, number> {
  const { loss, metrics = [] } = options;
  const sums: Record<string, number> = {};
  let count = 0;
  const loaded = new Set<Program>();
  for (const batch of batches) {
    const program = forward(model, values, batch.x, batch.y, loss, loaded);
    program.set("x", batch.x);
    if (loss) program.set("y", batch.y);
    program.execute();
    const size = batch.size ?? (batch.x.shape[0] as number);
    if (loss) sums.loss = (sums.loss ?? 0) + (program.view("loss")[0] as number) * size;
    const output = new Tensor(program.shapeOf("output"), program.outputs.get("output")?.dtype ?? "f32", program.view("output"));
    for (const m of metrics) sums[m.name] = (sums[m.name] ?? 0) + m.total(output, batch.y, size);
    count += size;
  }
  return Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count]));
}
