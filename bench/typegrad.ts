// typegrad's side of every workload. Models, the softmax cross-entropy and the Adam update are
// written with core ops, so loss + gradient + update build one graph that becomes one program.
import {
  type Expr,
  type Shape,
  Tensor,
  add,
  div,
  evaluate,
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
import { type Contender, regressionFigure, runs } from "./contender.js";
import { type Budget, type Figure, measure, measureSteps } from "./harness.js";
import {
  type AdamConfig,
  type Batch,
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

/** The part of a compiled program the benchmarks use: named tensors in, named tensors out. */
interface Runnable {
  run(bindings: Readonly<Record<string, Tensor>>): Readonly<Record<string, Tensor>>;
}

/** What a training step's program updates in place: the names of its state inputs. */
interface ProgramOptions {
  readonly donate?: readonly string[];
}

/** A program that runs the reference interpreter on each call (no compilation). */
function interpret(_inputs: Readonly<Record<string, Expr>>, outputs: Readonly<Record<string, Expr>>, _options: ProgramOptions = {}): Runnable {
  const names = Object.keys(outputs);
  const roots = names.map((n) => outputs[n] as Expr);
  return {
    run: (bindings) => {
      const values = evaluate(roots, bindings);
      return Object.fromEntries(names.map((n, i) => [n, values[i] as Tensor]));
    },
  };
}

/** How typegrad programs are made: the reference interpreter until `compile` lands. */
const program = interpret;

/** The engine in use, for the report header. */
export const engine = "reference interpreter (evaluate)";

/** The expressions the benchmarks build: float32 of any shape. */
type F32 = Expr<Shape, "f32">;

const f32 = (shape: readonly number[], data: Float32Array): Tensor => new Tensor([...shape], "f32", data);

/** A training step: state inputs (params, Adam moments, step count) and outputs of the same names, plus `loss`. */
interface TrainStep {
  readonly inputs: Readonly<Record<string, F32>>;
  readonly outputs: Readonly<Record<string, F32>>;
  readonly state: readonly string[];
}

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
  const outputs: Record<string, F32> = { t: t1, loss };
  names.forEach((n, i) => {
    const [p, g] = [ps[i] as F32, grads[i] as F32];
    const [m, v] = [input(`m.${n}`, p.shape), input(`v.${n}`, p.shape)];
    const m1 = add(mul(m, cfg.beta1), mul(g, 1 - cfg.beta1));
    const v1 = add(mul(v, cfg.beta2), mul(square(g), 1 - cfg.beta2));
    Object.assign(inputs, { [n]: p, [`m.${n}`]: m, [`v.${n}`]: v });
    Object.assign(outputs, { [n]: sub(p, mul(stepSize, div(m1, add(div(sqrt(v1), vScale), cfg.eps)))), [`m.${n}`]: m1, [`v.${n}`]: v1 });
  });
  return { inputs, outputs, state: names.flatMap((n) => [n, `m.${n}`, `v.${n}`]).concat("t") };
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

/** Initial state of a training step: the seeded params, zero moments, t = 0. */
function initialState(init: readonly DenseInit[]): Record<string, Tensor> {
  const state: Record<string, Tensor> = { t: f32([], new Float32Array(1)) };
  init.forEach((l, i) => {
    const shapes: [string, number[], Float32Array][] = [
      [`w${i}`, [l.fanIn, l.fanOut], l.w],
      [`b${i}`, [l.fanOut], l.b],
    ];
    for (const [n, s, d] of shapes) Object.assign(state, { [n]: f32(s, d.slice()), [`m.${n}`]: f32(s, new Float32Array(d.length)), [`v.${n}`]: f32(s, new Float32Array(d.length)) });
  });
  return state;
}

/** A compiled training step and its running state. */
function trainer(step: TrainStep, init: readonly DenseInit[]): { state: Record<string, Tensor>; run: (data: Readonly<Record<string, Tensor>>) => Tensor } {
  const prog = program(step.inputs, step.outputs, { donate: step.state });
  const state = initialState(init);
  return {
    state,
    run: (data) => {
      const out = prog.run({ ...state, ...data });
      for (const n of step.state) state[n] = out[n] as Tensor;
      return out.loss as Tensor;
    },
  };
}

/** Steps per second of the regression workload over `steps` steps; the detail gives the final MSE. */
function regressionTrain(steps: number): Figure {
  const tr = trainer(regressionStep(), denseInit(regression.sizes, regression.seed));
  const n = regression.xs.length;
  const samples = Array.from({ length: n }, (_, i) => ({ x: f32([1, 1], regression.xs.subarray(i, i + 1)), y: f32([1, 1], regression.ys.subarray(i, i + 1)) }));
  let s = 0;
  const r = measureSteps(steps, () => tr.run(samples[s++ % n] as Record<string, Tensor>), n);
  const params = denseParams(regression.sizes, "");
  const xs = input("xs", [n, 1]);
  const predict = program({ xs, ...params }, { y: forward(xs, params, 3, "", sigmoid) });
  const weights = Object.fromEntries(Object.keys(params).map((k) => [k, tr.state[k] as Tensor]));
  const mse = regressionMse((predict.run({ ...weights, xs: f32([n, 1], regression.xs) }).y as Tensor).data);
  return regressionFigure(r, steps, mse);
}

let fresh = 0;

/** typegrad: programs from `program` above. */
export const typegrad: Contender = {
  name: "typegrad",
  setup: () => Promise.resolve(),

  gemm(g: Gemm, budget: Budget) {
    const [sa, sb] = gemmShapes(g);
    const [a, b] = [input("a", sa), input("b", sb)];
    const c = matmul(g.transA ? transpose(a) : a, g.transB ? transpose(b) : b);
    const prog = program({ a, b }, { c });
    const [da, db] = gemmData(g);
    const bindings = { a: f32(sa, da), b: f32(sb, db) };
    const t = measure(() => prog.run(bindings), budget);
    return { value: gemmFlops(g) / t.seconds / 1e9, detail: runs(t) };
  },

  regression: regressionTrain,

  mlp(mlp: Mlp, budget: Budget) {
    const tr = trainer(mlpStep(mlp), denseInit(mlp.sizes, 2));
    const [inputs, classes] = [mlp.sizes[0] as number, mlp.sizes[mlp.sizes.length - 1] as number];
    const data = mlpBatches(mlp, 4).map((b: Batch) => ({ x: f32([mlp.batch, inputs], b.x), y: f32([mlp.batch, classes], b.y) }));
    let i = 0;
    let loss = NaN;
    const t = measure(() => {
      loss = tr.run(data[i++ % data.length] as Record<string, Tensor>).item();
    }, budget);
    return { value: mlp.batch / t.seconds, detail: `${runs(t, "steps")}, last loss ${loss.toPrecision(3)}` };
  },

  /** Builds the step's graph, differentiates it and makes its program; a fresh graph each call, so no cache helps. */
  stepCompile(which: Mlp | "regression", budget: Budget) {
    const t = measure(() => {
      const step = which === "regression" ? regressionStep(`r${fresh++}.`) : mlpStep(which, `m${fresh++}.`);
      program(step.inputs, step.outputs, { donate: step.state });
    }, budget);
    return { value: t.seconds * 1000, detail: `graph + grad + program, ${runs(t)}` };
  },
};
