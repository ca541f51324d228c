import { type Shape, ValueError } from "@typegrad/core";
import type { Layer } from "../layer.js";
import type { OptState, Optimizer } from "../optim/optimizer.js";
import type { Checked, FeatureCheck, TreeCheck } from "../shapes.js";
import type { Params } from "../tree.js";
import { evaluateModel } from "./evaluate.js";
import type { Metric } from "./metrics.js";
import { type ProgressSink, bar, lineProgress, stdoutProgress } from "./progress.js";
import { type Batch, type TrainState, trainStep } from "./step.js";
import type { Loss } from "../losses.js";

/** What one epoch achieved: mean training loss and metrics per sample, validation results, time. */
export interface EpochLog {
  /** 1-based. */
  readonly epoch: number;
  readonly loss: number;
  readonly metrics: Readonly<Record<string, number>>;
  /** Loss and metrics on the validation data (evaluation mode), when given. */
  readonly validation?: Readonly<Record<string, number>>;
  readonly seconds: number;
}

/** Hooks into `fit`; `onEpochEnd` may return "stop" to end training early. */
export interface Callback<P extends Params = Params, B extends Params = Params, S extends Params = Params> {
  readonly onBatchEnd?: (info: { readonly epoch: number; readonly batch: number; readonly loss: number }) => void;
  readonly onEpochEnd?: (log: EpochLog, ts: TrainState<P, B, S>) => void | "stop";
}

/**
 * Options of `fit`, for a model with input features I and trees P (parameters), B (buffers), and
 * an optimiser with slots K; batches' x is X. The types check `params`/`ts` against the model and
 * X against its input features.
 */
export interface FitOptions<
  I extends Shape = Shape,
  P extends Params = Params,
  B extends Params = Params,
  K extends string = string,
  X extends Shape = Shape,
  Y extends Shape = Shape,
  Q extends Params = P,
> {
  readonly model: Layer<I, Shape, P, B>;
  readonly loss: Loss;
  readonly optimizer: Optimizer<K>;
  /** Where to start: fresh parameters, or a training state to resume. */
  readonly params?: Checked<Q, TreeCheck<"fit: params", Q, P>>;
  readonly ts?: TrainState<P, B, OptState<K, P>>;
  /** The training batches of one epoch (called once per epoch, so it can reshuffle). */
  readonly data: ((epoch: number) => Iterable<Batch<X, Y>>) & FeatureCheck<"fit", X, I>;
  readonly epochs: number;
  readonly validation?: () => Iterable<Batch<X, Y>>;
  readonly metrics?: readonly Metric[];
  readonly callbacks?: readonly Callback<P, B, OptState<K, P>>[];
  /** Progress: on standard output (default, TTY-aware), to a function per finished line, or off. */
  readonly progress?: boolean | ((line: string) => void) | ProgressSink;
  /** Threads of the compiled step, as `compile`'s option: `"auto"` (default), or a count (1: never a worker). */
  readonly threads?: number | "auto";
}

const show = (values: Readonly<Record<string, number>>, prefix = ""): string =>
  Object.entries(values)
    .map(([k, v]) => `${prefix}${k} ${v.toPrecision(4)}`)
    .join("  ");

function sinkOf(progress: FitOptions["progress"]): ProgressSink | undefined {
  if (progress === false) return undefined;
  if (progress === undefined || progress === true) return stdoutProgress();
  return typeof progress === "function" ? lineProgress(progress) : progress;
}

/**
 * Trains for `epochs` epochs with one compiled training step, reporting the mean loss and metrics
 * per epoch (and on validation data), with a progress line and callbacks.
 * @example
 * const { ts, history } = fit({ model, loss: crossEntropy, optimizer: adam(), params, data: () => trainBatches, epochs: 3, metrics: [accuracy] });
 */
export function fit<I extends Shape, P extends Params, B extends Params, K extends string, X extends Shape, Y extends Shape, Q extends Params = P>(
  options: FitOptions<I, P, B, K, X, Y, Q>,
): { ts: TrainState<P, B, OptState<K, P>>; history: EpochLog[] };
export function fit(options: FitOptions): { ts: TrainState; history: EpochLog[] } {
  const { model, loss, optimizer, epochs, metrics = [], callbacks = [] } = options;
  const trainer = trainStep(model, loss, optimizer, options.threads === undefined ? {} : { threads: options.threads });
  const start = options.ts ?? (options.params ? trainer.init(options.params) : undefined);
  if (start === undefined) throw new ValueError("fit", "params or ts to start from", "neither");
  const sink = sinkOf(options.progress);
  const session = trainer.session(start);
  const history: EpochLog[] = [];
  let expected: number | undefined;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const began = performance.now();
    const sums: Record<string, number> = { loss: 0 };
    let count = 0;
    let batches = 0;
    const data = options.data(epoch);
    const total = Array.isArray(data) ? data.length : expected;
    for (const batch of data) {
      const value = session.step(batch);
      const size = batch.size ?? (batch.x.shape[0] as number);
      sums.loss = (sums.loss as number) + value * size;
      if (metrics.length) {
        const out = session.output();
        for (const m of metrics) sums[m.name] = (sums[m.name] ?? 0) + m.total(out, batch.y, size);
      }
      count += size;
      batches++;
      for (const c of callbacks) c.onBatchEnd?.({ epoch, batch: batches, loss: value });
      const seen = show(Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / count])));
      sink?.update(`epoch ${epoch}/${epochs} ${total ? `${bar(batches / total)} ${batches}/${total}` : `batch ${batches}`}  ${seen}`);
    }
    expected = batches;
    const mean = Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / Math.max(count, 1)]));
    const ts = session.snapshot();
    const validation = options.validation ? evaluateModel(model, ts, options.validation(), { loss, metrics }) : undefined;
    const { loss: meanLoss = NaN, ...rest } = mean;
    const log: EpochLog = { epoch, loss: meanLoss, metrics: rest, ...(validation ? { validation } : {}), seconds: (performance.now() - began) / 1000 };
    history.push(log);
    sink?.done(`epoch ${epoch}/${epochs}  ${show(mean)}${validation ? `  ${show(validation, "val ")}` : ""}  ${log.seconds.toFixed(1)}s`);
    if (callbacks.map((c) => c.onEpochEnd?.(log, ts)).includes("stop")) break;
  }
  return { ts: session.snapshot(), history };
}
