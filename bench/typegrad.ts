// typegrad's side of every workload. Models, the softmax cross-entropy and the Adam update are
// written with core ops, so loss + gradient + update build one graph that compiles into one
// program; parameters and Adam moments are donated, so they stay in the program's arena.
import {
  type CompileOptions,
  type Expr,
  type Shape,
  add,
  compile,
  div,
  grad,
  input,
  logSumExp,
  matmul,
  mean,
  mul,
  pow,
  relu,
  sigmoid,
  sqrt,
  square,
  sub,
  sum,
  transpose,
} from "@typegrad/core";
import { type Contender, lossProbe, mlpFigure, regressionFigure, timed } from "./contender.js";
import { type Budget, measure, measureSteps } from "./harness.js";
import {
  type AdamConfig,
  type DenseInit,
  type Gemm,
  type Mlp,
  denseInit,
  gemmData,
  gemmFlops,
  gemmShapes,
  mlpBatches,
  regression,
  regressionMse,
} from "./workloads.js";

/** Compile options for every program here (`TYPEGRAD_BACKEND=js` selects the reference interpreter, `TYPEGRAD_RELAXED_SIMD=1` allows relaxed kernels). */
const options: CompileOptions = {
  ...(process.env.TYPEGRAD_BACKEND === "js" || process.env.TYPEGRAD_BACKEND === "wasm" ? { backend: process.env.TYPEGRAD_BACKEND } : {}),
  relaxedSimd: process.env.TYPEGRAD_RELAXED_SIMD === "1",
};

/** The backend programs get, for the report header. */
export function engine(): string {
  const one = input("one", []);
  return compile({ one }, { two: add(one, 1) }, options).backend.name;
}

/** The expressions the benchmarks build: float32 of any shape. */
type F32 = Expr<Shape, "f32">;

/**
 * A training step: inputs (state and data) and outputs (`loss` and the next state), with each
 * next-state output donated to the state input it replaces.
 */
interface TrainStep {
  readonly inputs: Readonly<Record<string, F32>>;
  readonly outputs: Readonly<Record<string, F32>>;
  readonly donate: Readonly<Record<string, string>>;
}

/** The output that replaces state input `name`. */
const next = (name: string): string => `${name}'`;

/**
 * Adam, as PyTorch writes it, on every parameter: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g²,
 * p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), with the step count t kept as state too.
 */
function adamStep(params: Readonly<Record<string, F32>>, data: Readonly<Record<string, F32>>, loss: F32, cfg: AdamConfig): TrainStep {
  const names = Object.keys(params);
  const ps = names.map((n) => params[n] as F32);
  const grads = grad(loss, ps);
  const t = input("t", []);
  const t1 = add(t, 1);
  const stepSize = div(cfg.lr, sub(1, pow(cfg.beta1, t1)));
  const vScale = sqrt(sub(1, pow(cfg.beta2, t1)));
  const inputs: Record<string, F32> = { ...data, t };
  const outputs: Record<string, F32> = { loss, [next("t")]: t1 };
  names.forEach((n, i) => {
    const [p, g] = [ps[i] as F32, grads[i] as F32];
    const [m, v] = [input(`m.${n}`, p.shape), input(`v.${n}`, p.shape)];
    const m1 = add(mul(m, cfg.beta1), mul(g, 1 - cfg.beta1));
    const v1 = add(mul(v, cfg.beta2), mul(square(g), 1 - cfg.beta2));
    Object.assign(inputs, { [n]: p, [`m.${n}`]: m, [`v.${n}`]: v });
    Object.assign(outputs, { [next(n)]: sub(p, mul(stepSize, div(m1, add(div(sqrt(v1), vScale), cfg.eps)))), [next(`m.${n}`)]: m1, [next(`v.${n}`)]: v1 });
  });
  const state = names.flatMap((n) => [n, `m.${n}`, `v.${n}`]).concat("t");
  return { inputs, outputs, donate: Object.fromEntries(state.map((n) => [next(n), n])) };
}

/** Parameter inputs `w0, b0, w1, b1, …` for dense layers of `sizes`, prefixed to make distinct graphs. */
function denseParams(sizes: readonly number[], prefix: string): Record<string, F32> {
  return Object.fromEntries(sizes.slice(1).flatMap((out, i) => [[`${prefix}w${i}`, input(`${prefix}w${i}`, [sizes[i] as number, out])], [`${prefix}b${i}`, input(`${prefix}b${i}`, [out])]]));
}

/** x through dense layers with `act` between them (not after the last). */
function forward(x: F32, params: Readonly<Record<string, F32>>, layers: number, prefix: string, act: (h: F32) => F32): F32 {
  let h = x;
  for (let i = 0; i < layers; i++) {
    h = add(matmul(h, params[`${prefix}w${i}`] as F32), params[`${prefix}b${i}`] as F32);
    if (i < layers - 1) h = act(h);
  }
  return h;
}

/** The regression net's training step (one sample [1, 1]); `prefix` makes a graph distinct from earlier ones. */
function regressionStep(prefix = ""): TrainStep {
  const params = denseParams(regression.sizes, prefix);
  const [x, y] = [input("x", [1, 1]), input("y", [1, 1])];
  const loss = mean(square(sub(forward(x, params, 3, prefix, sigmoid), y)));
  return adamStep(params, { x, y }, loss, regression.adam);
}

/** Softmax cross-entropy from logits [B, C] and one-hot labels, averaged over the batch. */
function softmaxCrossEntropy(logits: F32, labels: F32): F32 {
  return mean(sub(logSumExp(logits, -1), sum(mul(labels, logits), -1)));
}

/** An MLP's training step on a batch; `prefix` makes a graph distinct from earlier ones. */
function mlpStep(mlp: Mlp, prefix = ""): TrainStep {
  const params = denseParams(mlp.sizes, prefix);
  const x = input("x", [mlp.batch, mlp.sizes[0] as number]);
  const y = input("y", [mlp.batch, mlp.sizes[mlp.sizes.length - 1] as number]);
  const loss = softmaxCrossEntropy(forward(x, params, mlp.sizes.length - 1, prefix, relu), y);
  return adamStep(params, { x, y }, loss, mlp.adam);
}

/** Milliseconds of each workload's first compile in this process (cold JavaScript code). */
const firstCompiles = new Map<string, number>();

/**
 * A compiled training step with its state set (seeded params, zero moments, t = 0). `run` copies
 * one sample or batch in, executes, and reads the loss: no allocation per step.
 */
function trainer(key: string, step: TrainStep, init: readonly DenseInit[], threads?: number): { program: ReturnType<typeof compile>; run: (x: Float32Array, y: Float32Array) => number } {
  const t0 = performance.now();
  const program = compile(step.inputs, step.outputs, { ...options, donate: step.donate, ...(threads === undefined ? {} : { threads }) });
  if (!firstCompiles.has(key)) firstCompiles.set(key, performance.now() - t0);
  program.set("t", new Float32Array(1));
  init.forEach((l, i) => {
    for (const [n, d] of [[`w${i}`, l.w], [`b${i}`, l.b]] as const) program.set(n, d.slice()).set(`m.${n}`, new Float32Array(d.length)).set(`v.${n}`, new Float32Array(d.length));
  });
  const loss = program.view("loss");
  return {
    program,
    run: (x, y) => {
      program.set("x", x).set("y", y).execute();
      return loss[0] as number;
    },
  };
}

/** A training step's graph, as the benchmarks build it (for inspecting its plan). */
export const stepGraph = (which: Mlp | "regression", prefix = ""): TrainStep => (which === "regression" ? regressionStep(prefix) : mlpStep(which, prefix));

/** A training loop on typegrad for profiling: each call of `step` is one step; `describe` gives the program's schedule. */
export function trainingLoop(which: Mlp | "regression"): { step: () => number; describe: () => string } {
  if (which === "regression") {
    const tr = trainer("regression", regressionStep(), denseInit(regression.sizes, regression.seed));
    let s = 0;
    return { step: () => tr.run(regression.xs.subarray(s % 100, (s % 100) + 1), regression.ys.subarray(s % 100, (s++ % 100) + 1)), describe: () => tr.program.describe() };
  }
  const tr = trainer(which.name, mlpStep(which), denseInit(which.sizes, 2), which.threads);
  const data = mlpBatches(which, 4);
  let i = 0;
  const step = (): number => {
    const b = data[i++ % data.length] as (typeof data)[number];
    return tr.run(b.x, b.y);
  };
  return { step, describe: () => tr.program.describe() };
}

let fresh = 0;

/** Each call builds a training step's graph afresh (new input names, so no cache helps), differentiates and compiles it; returns 0. */
export function compileLoop(which: Mlp | "regression"): () => number {
  return () => {
    const step = which === "regression" ? regressionStep(`r${fresh++}.`) : mlpStep(which, `m${fresh++}.`);
    compile(step.inputs, step.outputs, { ...options, donate: step.donate });
    return 0;
  };
}

/** typegrad: every workload a compiled program. */
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

  regression(steps: number) {
    const tr = trainer("regression", regressionStep(), denseInit(regression.sizes, regression.seed));
    const n = regression.xs.length;
    let s = 0;
    const r = measureSteps(steps, () => tr.run(regression.xs.subarray(s % n, (s % n) + 1), regression.ys.subarray(s % n, (s++ % n) + 1)), n);
    const params = denseParams(regression.sizes, "");
    const xs = input("xs", [n, 1]);
    const inputs: Record<string, F32> = { xs, ...params };
    const predict = compile(inputs, { y: forward(xs, params, 3, "", sigmoid) }, options);
    for (const k of Object.keys(params)) predict.set(k, tr.program.view(k));
    predict.set("xs", regression.xs).execute();
    return regressionFigure(r, steps, regressionMse(predict.view("y")));
  },

  mlp(mlp: Mlp, budget: Budget) {
    const probe = lossProbe(trainingLoop(mlp).step);
    const t = measure(probe.step, budget);
    return mlpFigure(mlp.batch, t, probe.lossAt());
  },

  /** Builds the step's graph, differentiates it and compiles it; a fresh graph each call, so no cache helps. */
  stepCompile(which: Mlp | "regression", budget: Budget) {
    const t = measure(compileLoop(which), budget);
    const first = firstCompiles.get(which === "regression" ? which : which.name);
    return timed(t, (s) => s * 1000, "calls of graph + grad + compile", first === undefined ? "" : `; the workload's first compile in the process took ${first.toFixed(1)} ms`);
  },
};
