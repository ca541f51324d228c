// The workloads, stated once so that every framework runs the same problem from the same numbers.
import { rng, uniformArray } from "./harness.js";

/** A GEMM C = op(A)·op(B) with C of shape [m, n] and inner size k; `transA`/`transB` read A or B transposed. */
export interface Gemm {
  readonly name: string;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
  /** Threads typegrad may use; the peers run on one. */
  readonly threads: number;
}

/** Floating-point operations of one GEMM (a multiply and an add per inner step). */
export const gemmFlops = (g: Gemm): number => 2 * g.m * g.k * g.n;

/** The stored shapes of A and B (before the transposes). */
export const gemmShapes = (g: Gemm): [[number, number], [number, number]] => [g.transA ? [g.k, g.m] : [g.m, g.k], g.transB ? [g.n, g.k] : [g.k, g.n]];

/** A GEMM workload without transposes. */
const square = (n: number, threads: number): Gemm => ({ name: `GEMM ${n}³${threads > 1 ? `, ${threads} threads` : ""}`, m: n, k: n, n, transA: false, transB: false, threads });

/**
 * The GEMMs of a 784→128 dense layer on a batch of 128 (forward, both gradient products), then
 * square ones from 512³ to 2048³; each on one thread and some on two.
 */
export const gemms: readonly Gemm[] = [
  { name: "GEMM X·W [128,784]×[784,128]", m: 128, k: 784, n: 128, transA: false, transB: false, threads: 1 },
  { name: "GEMM Xᵀ·dY [128,784]ᵀ×[128,128]", m: 784, k: 128, n: 128, transA: true, transB: false, threads: 1 },
  { name: "GEMM dY·Wᵀ [128,128]×[784,128]ᵀ", m: 128, k: 128, n: 784, transA: false, transB: true, threads: 1 },
  square(512, 1),
  square(1024, 1),
  square(2048, 1),
  { name: "GEMM X·W [128,784]×[784,128], 2 threads", m: 128, k: 784, n: 128, transA: false, transB: false, threads: 2 },
  square(512, 2),
  square(1024, 2),
  square(2048, 2),
];

/**
 * Whether the peers run a workload: one thread only, and GEMMs up to 512³ (a CPU backend at
 * 1 GFLOP/s would take 17 s per 2048³ call).
 */
export const peersRun = (w: Gemm | Mlp): boolean => w.threads === 1 && (!("k" in w) || w.m * w.k * w.n <= 512 ** 3);

/** Operands of a GEMM, uniform in [-1, 1). */
export function gemmData(g: Gemm): [Float32Array, Float32Array] {
  const next = rng(7);
  const [sa, sb] = gemmShapes(g);
  return [uniformArray(next, sa[0] * sa[1], -1, 1), uniformArray(next, sb[0] * sb[1], -1, 1)];
}

/** Adam's hyperparameters (PyTorch's defaults but the learning rate). */
export interface AdamConfig {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

/** Adam with the given learning rate and the usual β₁ = 0.9, β₂ = 0.999, ε = 1e-8. */
export const adamConfig = (lr: number): AdamConfig => ({ lr, beta1: 0.9, beta2: 0.999, eps: 1e-8 });

/** A dense layer's parameters, W stored [in, out] so that y = x·W + b. */
export interface DenseInit {
  readonly w: Float32Array;
  readonly b: Float32Array;
  readonly fanIn: number;
  readonly fanOut: number;
}

/** PyTorch's `Linear` default init (W and b uniform in ±1/√fan_in) for each layer of `sizes`, seeded. */
export function denseInit(sizes: readonly number[], seed: number): DenseInit[] {
  const next = rng(seed);
  return sizes.slice(1).map((fanOut, i) => {
    const fanIn = sizes[i] as number;
    const bound = 1 / Math.sqrt(fanIn);
    return { w: uniformArray(next, fanIn * fanOut, -bound, bound), b: uniformArray(next, fanOut, -bound, bound), fanIn, fanOut };
  });
}

/**
 * The founding regression workload: a 1-2-5-1 net with sigmoid after the first two layers, Adam
 * (lr 0.02), MSE, one sample per step, 200 passes in order over 100 points of y = 2.3x + 4.7 on
 * linspace(0, 3, 100): 20,000 steps.
 */
export const regression = {
  sizes: [1, 2, 5, 1],
  adam: adamConfig(0.02),
  epochs: 200,
  xs: Float32Array.from({ length: 100 }, (_, i) => (3 * i) / 99),
  ys: Float32Array.from({ length: 100 }, (_, i) => 2.3 * ((3 * i) / 99) + 4.7),
  seed: 1,
} as const;

/** Total steps of the regression workload. */
export const regressionSteps = regression.epochs * regression.xs.length;

/** Mean squared error of predictions at the 100 points against the regression targets. */
export function regressionMse(predictions: ArrayLike<number>): number {
  let s = 0;
  regression.ys.forEach((y, i) => {
    s += ((predictions[i] as number) - y) ** 2;
  });
  return s / regression.ys.length;
}

/** An MLP classification workload: ReLU between layers, softmax cross-entropy, Adam. */
export interface Mlp {
  readonly name: string;
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly adam: AdamConfig;
  /** Threads typegrad may use; the peers run on one. */
  readonly threads: number;
}

/** The two MLP training workloads (batch 128, Adam lr 1e-3), on one thread and on two. */
export const mlps: readonly Mlp[] = [1, 2].flatMap((threads) => [
  { name: `MLP 784-128-10 train, batch 128${threads > 1 ? `, ${threads} threads` : ""}`, sizes: [784, 128, 10], batch: 128, adam: adamConfig(1e-3), threads },
  { name: `MLP 784-512-512-10 train, batch 128${threads > 1 ? `, ${threads} threads` : ""}`, sizes: [784, 512, 512, 10], batch: 128, adam: adamConfig(1e-3), threads },
]);

/** A synthetic batch: inputs uniform in [0, 1) and one-hot labels of random classes. */
export interface Batch {
  readonly x: Float32Array;
  readonly y: Float32Array;
}

/** `count` synthetic batches for an MLP, cycled through during training. */
export function mlpBatches(mlp: Mlp, count: number): Batch[] {
  const next = rng(3);
  const [inputs, classes] = [mlp.sizes[0] as number, mlp.sizes[mlp.sizes.length - 1] as number];
  return Array.from({ length: count }, () => {
    const x = uniformArray(next, mlp.batch * inputs, 0, 1);
    const y = new Float32Array(mlp.batch * classes);
    for (let i = 0; i < mlp.batch; i++) y[i * classes + Math.floor(next() * classes)] = 1;
    return { x, y };
  });
}
