// The interface every framework's side implements, so run.ts drives them all alike.
import { type Budget, type Figure, type Framework, type Timing, fmt } from "./harness.js";
import type { Gemm, Mlp } from "./workloads.js";

/** One framework's implementation of the workloads; each returns a figure for the table. */
export interface Contender {
  readonly name: Framework;
  /** Loads the backend (once, before any workload). */
  setup(): Promise<void>;
  /** Makes this framework current before a workload (tfjs has one global backend). */
  activate?(): Promise<void>;
  /** GFLOP/s of one GEMM call with its output read back. */
  gemm(g: Gemm, budget: Budget): Figure;
  /** Steps per second of the regression workload over `steps` steps; the detail gives the final MSE. */
  regression(steps: number): Figure;
  /** Training samples per second of an MLP workload (the loss read back every step). */
  mlp(mlp: Mlp, budget: Budget): Figure;
  /** Milliseconds to get a training step ready to run, where the framework compiles one. */
  stepCompile?(step: Mlp | "regression", budget: Budget): Figure;
  /** Steps/s of the regression's compiled step program driven bare, against the training loop (typegrad: nn's overhead). */
  overhead?(): Figure | undefined;
  /** Microseconds of one-sample inference with the trained regression net, output read back. */
  predictOne?(budget: Budget): Figure | undefined;
  /** Training samples/s of Fashion-MNIST 784-128-10, 5 epochs through the training loop; the detail gives the test accuracy. */
  fashionMnist?(): Promise<Figure | undefined>;
  /** Training seconds until the MNIST example's model reaches 95% on the embedded subset's test split. */
  mnistTo95?(): Promise<Figure | undefined>;
  /** Training seconds until Fashion-MNIST 784-512-256-10 reaches 89.5% test accuracy. */
  fashionTo895?(): Promise<Figure | undefined>;
}

/**
 * A figure from a timing: `rate` of the seconds per call; the detail says how it was timed, the
 * same rate by process CPU time, and any `extra`.
 */
export const timed = (t: Timing, rate: (secondsPerCall: number) => number, unit = "calls", extra = ""): Figure => ({
  value: rate(t.seconds),
  detail: `median of ${t.repeats} runs × ${t.iterations} ${unit}; by CPU time ${fmt(rate(t.cpuSeconds))}${extra}`,
});

/** The regression figure: the median chunk's steps/s, with the final MSE in the detail. */
export const regressionFigure = (r: { stepsPerSecond: number; cpuStepsPerSecond: number; timed: number }, steps: number, mse: number): Figure => ({
  value: r.stepsPerSecond,
  detail: `final MSE ${mse.toPrecision(3)} after ${steps} steps; ${steps - r.timed} untimed, then median of 9 chunks; by CPU time ${fmt(r.cpuStepsPerSecond)}`,
});

/**
 * Wraps a training step to record the loss returned by step `at` (every framework starts from the
 * same weights and batches, so these agree when the implementations do); `lossAt` runs any steps
 * still missing.
 */
export function lossProbe(step: () => number, at = 10): { step: () => number; lossAt: () => number } {
  let n = 0;
  let loss = NaN;
  const wrapped = (): number => {
    const l = step();
    if (++n === at) loss = l;
    return l;
  };
  return {
    step: wrapped,
    lossAt: () => {
      while (n < at) wrapped();
      return loss;
    },
  };
}

/** An MLP figure: samples/s, with the loss after 10 steps as the sanity check. */
export const mlpFigure = (batch: number, t: Timing, lossAt10: number): Figure => timed(t, (s) => batch / s, "steps", `; loss after 10 steps ${lossAt10.toPrecision(4)}`);
