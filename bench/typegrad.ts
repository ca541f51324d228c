// typegrad's side of every workload, written the way a user writes it: models from @typegrad/nn
// (`sequential`, `dense`, activations), its losses and Adam, trained through `fit` with batches from
// @typegrad/datasets. One lower-level row drives nn's own step graph compiled with core's `compile`
// (set/execute, nothing else per step): the engine's ceiling for the same graph, so the report can
// say what the user's path costs on top of it.
import { type Batch, type CompileOptions, type Key, Tensor, add, compile, foldIn, input, key, matmul, transpose } from "@typegrad/core";
import { batches, loadEmbeddedMnist, loadFashionMnist, meanStd } from "@typegrad/datasets";
import { type Callback, type EpochLog, type Layer, type ModelValues, type Params, accuracy, adam, cosineDecay, crossEntropy, dense, dropout, evaluateModel, fit, mse, named, predict, relu, sequential, sigmoid, stepGraph, trainStep } from "@typegrad/nn";
import { either as E } from "fp-ts";
import { MNIST_RECIPE, mnistModel, mnistOptimizer, shiftDigits, splitValidation } from "../examples/mnist/model.js";
import { type Contender, lossProbe, timed } from "./contender.js";
import { type Budget, type Figure, fmt, measure, measureSteps, median } from "./harness.js";
import { type DenseInit, type Gemm, type Mlp, denseInit, gemmData, gemmFlops, gemmShapes, mlpBatches, regression, regressionMse } from "./workloads.js";

/** Compile options of the GEMM programs (`TYPEGRAD_BACKEND=js` selects the reference interpreter, `TYPEGRAD_RELAXED_SIMD=1` allows relaxed kernels, here and in `fit`). */
const options: CompileOptions = {
  ...(process.env.TYPEGRAD_BACKEND === "js" || process.env.TYPEGRAD_BACKEND === "wasm" ? { backend: process.env.TYPEGRAD_BACKEND } : {}),
  relaxedSimd: process.env.TYPEGRAD_RELAXED_SIMD === "1",
};

/** The backend programs get, for the report header. */
export function engine(): string {
  const one = input("one", []);
  return compile({ one }, { two: add(one, 1) }, options).backend.name;
}

/** Dense layers of `sizes` with `act` between them (not after the last); `prefix` names them (a distinct graph). */
function denseChain(sizes: readonly number[], act: () => Layer, prefix?: string): Layer {
  const layers: Layer[] = [];
  sizes.slice(1).forEach((out, i) => {
    if (i > 0) layers.push(act());
    const d: Layer = dense(sizes[i] as number, out);
    layers.push(prefix === undefined ? d : named(`${prefix}${i}`, d));
  });
  return sequential<readonly Layer[]>(...layers);
}

/** The peers' seeded weights as nn parameters (PyTorch's layout: weight [out, in]), keyed like `denseChain`. */
function paramsFrom(init: readonly DenseInit[], prefix?: string): Params {
  return Object.fromEntries(
    init.map((l, i) => {
      const w = new Float32Array(l.w.length);
      for (let r = 0; r < l.fanIn; r++) for (let c = 0; c < l.fanOut; c++) w[c * l.fanIn + r] = l.w[r * l.fanOut + c] as number;
      const params = { weight: new Tensor([l.fanOut, l.fanIn], "f32", w), bias: new Tensor([l.fanOut], "f32", l.b.slice()) };
      return [prefix === undefined ? String(2 * i) : `${prefix}${i}`, params];
    }),
  );
}

/** A workload as nn sees it: the model, its loss, Adam, starting parameters and the batches of one pass. */
interface NnWorkload {
  readonly model: Layer;
  readonly loss: typeof mse | typeof crossEntropy;
  readonly optimizer: ReturnType<typeof adam>;
  readonly params: () => Params;
  readonly data: readonly Batch[];
  readonly threads: number;
}

/** The regression: 1-2-5-1 with sigmoids, MSE, Adam 0.02, the 100 points as one-sample batches. */
function regressionWorkload(prefix?: string): NnWorkload {
  const n = regression.xs.length;
  const sample = (v: Float32Array, i: number): Tensor => new Tensor([1, 1], "f32", v.subarray(i, i + 1));
  return {
    model: denseChain(regression.sizes, () => sigmoid(), prefix),
    loss: mse,
    optimizer: adam({ lr: regression.adam.lr }),
    params: () => paramsFrom(denseInit(regression.sizes, regression.seed), prefix),
    data: Array.from({ length: n }, (_, i) => ({ x: sample(regression.xs, i), y: sample(regression.ys, i) })),
    threads: 1,
  };
}

/** An MLP: ReLU between layers, softmax cross-entropy on integer labels, the 4 synthetic batches through `batches`. */
function mlpWorkload(mlp: Mlp, prefix?: string): NnWorkload {
  const raw = mlpBatches(mlp, 4);
  const [inputs, classes] = [mlp.sizes[0] as number, mlp.sizes[mlp.sizes.length - 1] as number];
  const x = new Float32Array(raw.length * mlp.batch * inputs);
  const labels = new Int32Array(raw.length * mlp.batch);
  raw.forEach((b, k) => {
    x.set(b.x, k * b.x.length);
    for (let i = 0; i < mlp.batch; i++) labels[k * mlp.batch + i] = b.y.subarray(i * classes, (i + 1) * classes).indexOf(1);
  });
  const images = new Tensor<[number, number], "f32">([labels.length, inputs], "f32", x);
  return {
    model: denseChain(mlp.sizes, () => relu(), prefix),
    loss: crossEntropy,
    optimizer: adam({ lr: mlp.adam.lr }),
    params: () => paramsFrom(denseInit(mlp.sizes, 2), prefix),
    data: [...batches(images, new Tensor([labels.length], "i32", labels), { batchSize: mlp.batch, reuse: false })],
    threads: mlp.threads,
  };
}

/** Batches of one epoch: `steps` steps cycling through the workload's batches. */
const epochOf = (w: NnWorkload, steps: number): Batch[] => Array.from({ length: steps }, (_, i) => w.data[i % w.data.length] as Batch);

/**
 * `fit` for `epochs` epochs of `steps` steps after a warm-up call as long: the median epoch's
 * steps/s (an epoch includes fit's per-epoch work) and the whole timed call's, with the final
 * state. (The whole regression takes ~10 ms: after a shorter warm-up it would be timed while V8
 * is still optimising fit's loop, ~25% slower, and the session rows measured after it would not.)
 */
function fitRates(w: NnWorkload, epochs: number, steps: number): { perEpoch: number; whole: number; values: ModelValues } {
  const epoch = epochOf(w, steps);
  const run = (n: number): { ts: ModelValues; history: EpochLog[] } =>
    fit({ model: w.model, loss: w.loss, optimizer: w.optimizer, params: w.params(), data: () => epoch, epochs: n, progress: false, threads: w.threads, relaxedSimd: options.relaxedSimd === true });
  run(epochs);
  const t0 = performance.now();
  const { ts, history } = run(epochs);
  const whole = (epochs * steps) / ((performance.now() - t0) / 1000);
  const rates = history.slice(epochs > 1 ? 1 : 0).map((h) => steps / h.seconds);
  return { perEpoch: median(rates), whole, values: ts };
}

/** A `trainStep` session's steps/s over `steps` steps (the first pass untimed). */
function sessionRate(w: NnWorkload, steps: number): number {
  const trainer = trainStep(w.model, w.loss, w.optimizer, { threads: w.threads });
  const session = trainer.session(trainer.init(w.params()));
  let s = 0;
  return measureSteps(steps, () => session.step(w.data[s++ % w.data.length] as Batch), w.data.length).stepsPerSecond;
}

/**
 * nn's step graph compiled with core's `compile` and driven with set/execute: the same kernels as
 * `fit` with nothing around them. Returns a step function (returns the loss) and the program.
 */
function bareStep(w: NnWorkload): { step: () => number; describe: () => string } {
  const trainer = trainStep(w.model, w.loss, w.optimizer);
  const ts = trainer.init(w.params());
  const first = w.data[0] as Batch;
  const g = stepGraph(w.model, w.loss, w.optimizer, ts, first);
  const program = compile(g.inputs, g.outputs, { donate: g.donate, threads: w.threads });
  for (const [prefix, tree] of [["param", ts.params], ["state", ts.state], ["opt", ts.opt]] as const)
    for (const [name, t] of Object.entries(flatTree(tree))) program.set(`${prefix}:${name}`, t);
  program.set("key", ts.key);
  const loss = program.view("loss");
  let i = 0;
  const step = (): number => {
    const b = w.data[i++ % w.data.length] as Batch;
    program.set("x", b.x.data).set("y", b.y.data).execute();
    return loss[0] as number;
  };
  return { step, describe: () => program.describe() };
}

/** Leaves of a parameter tree by dotted path, as nn names them. */
function flatTree(tree: Params, prefix = ""): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (v instanceof Tensor) out[prefix + k] = v;
    else Object.assign(out, flatTree(v, `${prefix}${k}.`));
  }
  return out;
}

/** A training loop for profiling: each call of `step` is one `trainStep` session step; `describe` gives the step program's schedule. */
export function trainingLoop(which: Mlp | "regression"): { step: () => number; describe: () => string } {
  const w = which === "regression" ? regressionWorkload() : mlpWorkload(which);
  const trainer = trainStep(w.model, w.loss, w.optimizer, { threads: w.threads });
  const session = trainer.session(trainer.init(w.params()));
  let i = 0;
  return { step: () => session.step(w.data[i++ % w.data.length] as Batch), describe: () => bareStep(w).describe() };
}

let fresh = 0;

/** Each call builds a fresh model (new layer names, so no cache helps), its step graph and gradient, and compiles it; returns 0. */
export function compileLoop(which: Mlp | "regression"): () => number {
  return () => {
    const prefix = `c${fresh++}_`;
    const w = which === "regression" ? regressionWorkload(prefix) : mlpWorkload(which, prefix);
    const trainer = trainStep(w.model, w.loss, w.optimizer);
    const g = stepGraph(w.model, w.loss, w.optimizer, trainer.init(w.params()), w.data[0] as Batch);
    compile(g.inputs, g.outputs, { donate: g.donate });
    return 0;
  };
}

/** The regression's bare-program rate and trained net, kept for the overhead and predict rows (measured with the regression row). */
let bareRegression: { rate: number; fit: number } | undefined;
let trainedRegression: { model: Layer; values: ModelValues } | undefined;

/** Flattened f32 images and i32 labels as nn batches, normalised. */
const loaderBatches = (x: Tensor<[number, 784], "f32">, y: Tensor<[number], "i32">, batchSize: number, stats: { mean: number; std: number }, k?: Key) =>
  batches(x, y, { batchSize, normalize: stats, ...(k === undefined ? {} : { key: k, lastBatch: "drop" as const }) });

/** typegrad: every workload through @typegrad/nn. */
export const typegrad: Contender = {
  name: "typegrad",
  setup: () => Promise.resolve(),

  /** Inputs set once (they stay in the arena, as the peers keep theirs on the device); each call executes and copies C out. */
  gemm(g: Gemm, budget: Budget) {
    const [sa, sb] = gemmShapes(g);
    const [a, b] = [input("a", sa), input("b", sb)];
    const program = compile({ a, b }, { c: matmul(g.transA ? transpose(a) : a, g.transB ? transpose(b) : b) }, { ...options, threads: g.threads });
    const [da, db] = gemmData(g);
    program.set("a", da).set("b", db);
    const out = new Float32Array(g.m * g.n);
    const t = measure(() => {
      program.execute();
      program.get("c", out);
    }, budget);
    return timed(t, (s) => gemmFlops(g) / s / 1e9);
  },

  /** `fit` over the whole workload (200 epochs of the 100 points); the figure is the median epoch. */
  regression(steps: number) {
    const w = regressionWorkload();
    const n = w.data.length;
    const r = fitRates(w, steps / n, n);
    const session = sessionRate(w, steps);
    const bare = measureSteps(steps, bareStep(w).step, n).stepsPerSecond;
    bareRegression = { rate: bare, fit: r.perEpoch };
    trainedRegression = { model: w.model, values: r.values };
    const fitted = predict(w.model, r.values, new Tensor([n, 1], "f32", regression.xs));
    return {
      value: r.perEpoch,
      detail:
        `fit, final MSE ${regressionMse(fitted.data).toPrecision(3)} after ${steps} steps; median of ${steps / n - 1} epochs of ${n} steps ` +
        `(the whole fit call incl. its start: ${fmt(r.whole)}); a trainStep session ${fmt(session)}; the bare step program ${fmt(bare)}`,
    };
  },

  /** `fit` over epochs of 50 steps cycling the 4 batches; the figure is the median epoch. The loss after 10 steps comes from a session from the same start. */
  mlp(mlp: Mlp, budget: Budget) {
    const w = mlpWorkload(mlp);
    const steps = budget.seconds < 0.1 ? 10 : 50;
    const r = fitRates(w, budget.repeats + 1, steps);
    const trainer = trainStep(w.model, w.loss, w.optimizer, { threads: w.threads });
    const session = trainer.session(trainer.init(w.params()));
    let i = 0;
    const probe = lossProbe(() => session.step(w.data[i++ % w.data.length] as Batch));
    return {
      value: r.perEpoch * mlp.batch,
      detail: `fit, median of ${budget.repeats} epochs × ${steps} steps (whole call ${fmt(r.whole * mlp.batch)}); loss after 10 steps ${probe.lossAt().toPrecision(4)}`,
    };
  },

  /** The bare step program against `fit`, for the regression (measured by the regression row). */
  overhead() {
    if (bareRegression === undefined) return undefined;
    const { rate, fit: viaFit } = bareRegression;
    return { value: rate, detail: `nn's step program via set/execute; fit reaches ${((viaFit / rate) * 100).toFixed(0)}% of it (nn overhead ${((rate / viaFit - 1) * 100).toFixed(0)}%)` };
  },

  /** One-sample `predict` of the trained regression net, the output read back (parameters stay bound between calls). */
  predictOne(budget: Budget) {
    if (trainedRegression === undefined) return undefined;
    const { model, values } = trainedRegression;
    const x = new Tensor([1, 1], "f32", Float32Array.of(1.5));
    return timed(measure(() => predict(model, values, x).data[0], budget), (s) => s * 1e6);
  },

  /** Builds a fresh model's step graph, differentiates it and compiles it; a fresh graph each call, so no cache helps. */
  stepCompile(which: Mlp | "regression", budget: Budget) {
    const t = measure(compileLoop(which), budget);
    return timed(t, (s) => s * 1000, "calls of graph + grad + compile");
  },

  fashionMnist: () => fashionFit(),
  mnistTo95: () => mnistTo95(),
  fashionTo895: () => fashionTo895(),
};

/** Fashion-MNIST 784-128-10, Adam 1e-3, batch 128, 5 epochs through fit: samples/s, with the test accuracy. */
async function fashionFit(): Promise<Figure | undefined> {
  const r = await loadFashionMnist({ flatten: true, log: () => undefined })();
  if (E.isLeft(r)) return { value: NaN, detail: `Fashion-MNIST unavailable: ${r.left.message}` };
  const { train, test } = r.right;
  const stats = meanStd(train.images);
  const model = sequential(dense(784, 128), relu(), dense(128, 10));
  const t0 = performance.now();
  const { ts, history } = fit({
    model,
    loss: crossEntropy,
    optimizer: adam({ lr: 1e-3 }),
    params: model.init(key(0)),
    data: (e) => loaderBatches(train.images, train.labels, 128, stats, foldIn(key(1), e)),
    epochs: 5,
    progress: false,
    threads: 1,
  });
  const seconds = (performance.now() - t0) / 1000;
  const acc = evaluateModel(model, ts, loaderBatches(test.images, test.labels, 1000, stats), { metrics: [accuracy] }).accuracy ?? NaN;
  const samples = 5 * Math.floor(train.images.shape[0] / 128) * 128;
  return { value: samples / seconds, detail: `test accuracy ${(acc * 100).toFixed(2)}% after 5 epochs in ${seconds.toFixed(1)} s (median epoch ${fmt(samples / 5 / median(history.map((h) => h.seconds)))} samples/s)` };
}

/** Seconds of `fit` (training only) until the MNIST example's recipe reaches 95% on the embedded test split, checked after every epoch. */
async function mnistTo95(): Promise<Figure | undefined> {
  const r = await loadEmbeddedMnist({ flatten: true })();
  if (E.isLeft(r)) return { value: NaN, detail: r.left.message };
  const { fit: fitSplit } = splitValidation(r.right.train);
  const test = r.right.test;
  const stats = meanStd(fitSplit.images);
  const { name, batchSize, epochs } = MNIST_RECIPE;
  const model = mnistModel();
  const shifted = new Float32Array(fitSplit.images.size);
  const run = untilAccuracy(0.95, test, stats, epochs);
  fit({
    model,
    loss: crossEntropy,
    optimizer: mnistOptimizer(Math.floor(fitSplit.labels.size / batchSize)),
    params: model.init(key(0)),
    data: (e) => batches(shiftDigits(fitSplit.images, e, shifted), fitSplit.labels, { batchSize, key: foldIn(key(1), e), lastBatch: "drop", normalize: stats }),
    epochs,
    progress: false,
    threads: 1,
    callbacks: [run.callback(model)],
  });
  return run.figure(`${name}, ${fmt(fitSplit.labels.size)} training digits`);
}

/** A callback that evaluates test accuracy after every epoch (outside the timed epoch) and stops at `target`; the figure is the training seconds until then. */
function untilAccuracy(target: number, test: { images: Tensor<[number, 784], "f32">; labels: Tensor<[number], "i32"> }, stats: { mean: number; std: number }, maxEpochs: number) {
  let training = 0;
  let last = 0;
  let reached: { epoch: number; seconds: number } | undefined;
  return {
    callback: (model: Layer): Callback => ({
      onEpochEnd: (log, ts) => {
        training += log.seconds;
        last = evaluateModel(model, ts, loaderBatches(test.images, test.labels, 1000, stats), { metrics: [accuracy] }).accuracy ?? 0;
        if (last >= target && reached === undefined) reached = { epoch: log.epoch, seconds: training };
        return reached ? "stop" : undefined;
      },
    }),
    figure: (what: string): Figure =>
      reached === undefined
        ? { value: NaN, detail: `${what}: ${(last * 100).toFixed(2)}% after ${maxEpochs} epochs (${training.toFixed(1)} s), short of ${target * 100}%` }
        : { value: reached.seconds, detail: `${what}: ${(last * 100).toFixed(2)}% test accuracy after epoch ${reached.epoch}` },
  };
}

/** Seconds of `fit` until Fashion-MNIST 784-512-256-10 (dropout 0.2, Adam 1e-3 decayed to 0 along a cosine over 10 epochs) reaches 89.5% test accuracy, checked after every epoch. */
async function fashionTo895(): Promise<Figure | undefined> {
  const r = await loadFashionMnist({ flatten: true, log: () => undefined })();
  if (E.isLeft(r)) return { value: NaN, detail: `Fashion-MNIST unavailable: ${r.left.message}` };
  const { train, test } = r.right;
  const stats = meanStd(train.images);
  const model = sequential(dense(784, 512), relu(), dropout(0.2), dense(512, 256), relu(), dropout(0.2), dense(256, 10));
  const epochs = 10;
  const run = untilAccuracy(0.895, test, stats, epochs);
  fit({
    model,
    loss: crossEntropy,
    optimizer: adam({ lr: cosineDecay(1e-3, epochs * Math.floor(train.labels.size / 128)) }),
    params: model.init(key(0)),
    data: (e) => loaderBatches(train.images, train.labels, 128, stats, foldIn(key(1), e)),
    epochs,
    progress: false,
    threads: 1,
    callbacks: [run.callback(model)],
  });
  return run.figure("784-512-256-10, dropout 0.2, Adam 1e-3 cosine over 10 epochs, batch 128");
}
