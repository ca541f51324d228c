import { type Batch, type DType, type Shape, ValueError } from "@typegrad/core";
import type { Layer } from "../layer.js";
import type { LossForBatches } from "../losses.js";
import type { OptState, Optimizer } from "../optim/optimizer.js";
import type { BatchX, Checked, FeatureCheck, TreeCheck } from "../shapes.js";
import type { Params } from "../tree.js";
import { evaluateWith } from "./evaluate.js";
import { NonFiniteError } from "./finite.js";
import type { Metric } from "./metrics.js";
import { type ProgressSink, bar, lineProgress, stdoutProgress } from "./progress.js";
import { Session, specOf } from "./session.js";
import { type StateCheck, type TrainOptions, type TrainState, trainStep } from "./step.js";

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
 * Options of `fit`, for a model with input features I, output features O and trees P (parameters),
 * B (buffers), an optimiser with slots K, and batches of type Bt (a union when they have several
 * literal shapes). The types check `params`/`ts` against the model, the batches' x against its
 * input features, and the loss against the model's output and the batches' y.
 */
export interface FitOptions<
  I extends Shape = Shape,
  O extends Shape = Shape,
  P extends Params = Params,
  B extends Params = Params,
  K extends string = string,
  Bt extends Batch = Batch,
  Q extends Params = P,
  T extends TrainState = TrainState<P, B, OptState<K, P>>,
> extends TrainOptions {
  readonly model: Layer<I, O, P, B>;
  /** The loss of the model's output against y: a loss that cannot take them (`crossEntropy` of float labels, `mse` of other shapes) is a type error. */
  readonly loss: NoInfer<LossForBatches<Bt, I, O>>;
  readonly optimizer: Optimizer<K>;
  /** Where to start: fresh parameters, or a training state to resume. */
  readonly params?: Checked<TreeCheck<"fit: params", Q, P>, Q, P>;
  readonly ts?: Checked<StateCheck<"fit", T, P, B, OptState<K, P>>, T, TrainState<P, B, OptState<K, P>>>;
  /** The training batches of one epoch (called once per epoch, so it can reshuffle). */
  readonly data: ((epoch: number) => Iterable<Bt>) & FeatureCheck<"fit", BatchX<Bt>, I>;
  readonly epochs: number;
  /** Batches evaluated after each epoch (any batch size; x and y checked when they run). */
  readonly validation?: () => Iterable<Batch>;
  readonly metrics?: readonly Metric[];
  readonly callbacks?: readonly Callback<P, B, OptState<K, P>>[];
  /** Progress: on standard output (default, TTY-aware, redrawn at most 10 times a second), to a function per finished line, or off. */
  readonly progress?: boolean | ((line: string) => void) | ProgressSink;
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
 * Says when a progress line is due (every 100 ms), reading the clock only every `stride` batches;
 * the stride adapts so the clock is read about every 10 ms whatever a batch costs.
 */
class Throttle {
  private stride = 1;
  private countdown = 1;
  private read = performance.now();
  private next = this.read;

  due(): boolean {
    if (--this.countdown > 0) return false;
    const now = performance.now();
    this.stride = now - this.read < 10 ? Math.min(this.stride * 2, 4096) : Math.max(1, this.stride >> 1);
    this.countdown = this.stride;
    this.read = now;
    if (now < this.next) return false;
    this.next = now + 100;
    return true;
  }
}

/**
 * One epoch in progress: runs the batches through the session and keeps the running sums. (Sums
 * are fields, updated in place; numbers captured by a closure would live in a heap context, where
 * every update allocates.)
 */
class Epoch {
  lossSum = 0;
  count = 0;
  batches = 0;
  private readonly sums: Float64Array;
  private readonly throttle = new Throttle();

  constructor(
    private readonly session: Session,
    readonly epoch: number,
    private readonly epochs: number,
    private readonly total: number | undefined,
    private readonly metrics: readonly Metric[],
    private readonly onBatch: readonly NonNullable<Callback["onBatchEnd"]>[],
    private readonly sink: ProgressSink | undefined,
  ) {
    this.sums = new Float64Array(metrics.length);
  }

  run(data: Iterable<Batch>): void {
    // Arrays by index: an iterator's result objects would be allocated per batch.
    if (Array.isArray(data)) for (let i = 0; i < data.length; i++) this.batch(data[i] as Batch);
    else for (const batch of data) this.batch(batch);
  }

  private batch(batch: Batch): void {
    let value: number;
    try {
      value = this.session.step(batch);
    } catch (e) {
      throw e instanceof NonFiniteError ? e.at(this.epoch, this.batches + 1) : e;
    }
    const size = batch.size ?? (batch.x.shape[0] as number);
    this.lossSum += value * size;
    const { metrics, sums } = this;
    if (metrics.length) {
      const out = this.session.output();
      for (let i = 0; i < metrics.length; i++) sums[i] = (sums[i] as number) + (metrics[i] as Metric).total(out, batch.y, size);
    }
    this.count += size;
    this.batches++;
    for (let i = 0; i < this.onBatch.length; i++) (this.onBatch[i] as NonNullable<Callback["onBatchEnd"]>)({ epoch: this.epoch, batch: this.batches, loss: value });
    if (this.sink && this.throttle.due()) {
      const { epoch, epochs, total, batches } = this;
      this.sink.update(`epoch ${epoch}/${epochs} ${total ? `${bar(batches / total)} ${batches}/${total}` : `batch ${batches}`}  ${show(this.means())}`);
    }
  }

  /** Mean loss and metrics per sample. */
  means(): Record<string, number> {
    const m: Record<string, number> = { loss: this.lossSum / this.count };
    this.metrics.forEach((metric, i) => (m[metric.name] = (this.sums[i] as number) / this.count));
    return m;
  }
}

/** A training state read from the session only if a callback looks at it. */
function lazyState(session: Session): TrainState {
  let ts: TrainState | undefined;
  const get = (): TrainState => (ts ??= session.snapshot());
  return {
    get params() {
      return get().params;
    },
    get state() {
      return get().state;
    },
    get opt() {
      return get().opt;
    },
    get key() {
      return get().key;
    },
    get step() {
      return get().step;
    },
  };
}

/**
 * Trains for `epochs` epochs with one compiled training step, reporting the mean loss and metrics
 * per epoch (and on validation data), with a progress line and callbacks. A non-finite loss or
 * gradient norm stops training with a `NonFiniteError` naming the epoch and batch (the step is not
 * applied); `checkFinite: false` turns the check off.
 * @example
 * const { ts, history } = fit({ model, loss: crossEntropy, optimizer: adam(), params, data: () => trainBatches, epochs: 3, metrics: [accuracy] });
 */
export function fit<
  I extends Shape,
  O extends Shape,
  P extends Params,
  B extends Params,
  K extends string,
  // DX and DY only keep the batches' dtypes from being read as Batch's DType while Bt is inferred.
  DX extends DType,
  DY extends DType,
  Bt extends Batch<Shape, Shape, DX, DY>,
  Q extends Params = P,
  T extends TrainState = TrainState<P, B, OptState<K, P>>,
>(
  options: FitOptions<I, O, P, B, K, Bt, Q, T>,
): { ts: TrainState<P, B, OptState<K, P>>; history: EpochLog[] };
export function fit(options: FitOptions): { ts: TrainState; history: EpochLog[] } {
  const { model, loss, optimizer, epochs, metrics = [], callbacks = [] } = options;
  const trainer = trainStep(model, loss, optimizer);
  const start = options.ts ?? (options.params ? trainer.init(options.params) : undefined);
  if (start === undefined) throw new ValueError("fit", "params or ts to start from", "neither");
  const sink = sinkOf(options.progress);
  const session = new Session(specOf(model, loss, optimizer, options), start);
  const onBatch = callbacks.flatMap((c) => (c.onBatchEnd ? [c.onBatchEnd] : []));
  const history: EpochLog[] = [];
  let expected: number | undefined;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const began = performance.now();
    const data = options.data(epoch);
    const run = new Epoch(session, epoch, epochs, Array.isArray(data) ? data.length : expected, metrics, onBatch, sink);
    run.run(data);
    const { batches } = run;
    if (batches === 0) throw new ValueError("fit", `batches in every epoch`, `none in epoch ${epoch}`, "data(epoch) must give the batches anew each call (a generator is used up after one pass)");
    expected = batches;
    const { loss: meanLoss = NaN, ...rest } = run.means();
    const validation = options.validation ? evaluateWith(model, session.live(), options.validation(), { loss, metrics }, true) : undefined;
    const log: EpochLog = { epoch, loss: meanLoss, metrics: rest, ...(validation ? { validation } : {}), seconds: (performance.now() - began) / 1000 };
    history.push(log);
    sink?.done(`epoch ${epoch}/${epochs}  ${show({ loss: meanLoss, ...rest })}${validation ? `  ${show(validation, "val ")}` : ""}  ${log.seconds.toFixed(1)}s`);
    // The session's optimiser state is the tree the optimiser's init made: an OptState.
    const ts = lazyState(session) as TrainState<Params, Params, OptState<string, Params>>;
    if (callbacks.map((c) => c.onEpochEnd?.(log, ts)).includes("stop")) break;
  }
  return { ts: session.snapshot(), history };
}
