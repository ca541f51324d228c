import { type Batch, type DType, type Expr, type Key, type Shape, type ShapeMismatch, type ShapeMismatchOf, type ShowShape, Tensor, grad, input, key as makeKey } from "@typegrad/core";
import type { Layer } from "../layer.js";
import { type OptState, type Optimizer, dtypeOf } from "../optim/optimizer.js";
import type { ApplyOut, Checked, FeatureCheck, TreeCheck, TreeDiffs } from "../shapes.js";
import { type Leaf, type Params, type Tree, type Vars, flatten, mapTree, unflatten } from "../tree.js";
import type { Loss, LossForBatches } from "../losses.js";
import { finiteFlag, gated } from "./finite.js";
import { Session, specOf } from "./session.js";

/**
 * Everything a training run carries from step to step. Plain data: save it, copy it, resume it.
 * P, B and S are the types of the parameter, buffer and optimiser-state trees.
 */
export interface TrainState<P extends Params = Params, B extends Params = Params, S extends Params = Params> {
  readonly params: P;
  /** Buffers of stateful layers (batch norm). */
  readonly state: B;
  /** Optimiser state (step counter, moments). */
  readonly opt: S;
  /** Base key; step k draws dropout masks from foldIn(key, k). */
  readonly key: Key;
  /** Steps taken. */
  readonly step: number;
}

/** The graph of one training step on inputs of given shapes. */
export interface StepGraph {
  /** Input nodes: `param:<path>`, `state:<path>`, `opt:<path>`, `x`, `y`, `key`. */
  readonly inputs: Readonly<Record<string, Expr>>;
  /** `loss`, `output`, and the new `param:`/`state:`/`opt:` values. */
  readonly outputs: Readonly<Record<string, Expr>>;
  /** Each state output and the input it replaces (donated: updated in place). */
  readonly donate: Readonly<Record<string, string>>;
}

/** Input nodes named `<prefix>:<path>` shaped like the leaves of `tree`. */
export function inputsFor(prefix: string, tree: Params): { vars: Vars; nodes: Record<string, Expr> } {
  const nodes: Record<string, Expr> = {};
  const vars = mapTree(tree, (t: Tensor, path) => (nodes[`${prefix}:${path}`] = input(`${prefix}:${path}`, t.shape, t.dtype)));
  return { vars, nodes };
}

/** Leaves of a tree by `<prefix>:<path>`. */
export function prefixed<L extends Expr | Tensor>(prefix: string, tree: Tree<L>): Record<string, L> {
  const leaves: Record<string, Leaf> = flatten(tree);
  return Object.fromEntries(Object.entries(leaves).map(([path, e]) => [`${prefix}:${path}`, e as L]));
}

/**
 * The new parameters and optimiser state with each parameter's values together (`param:p`,
 * `opt:exp_avg.p`, …): the compiler schedules outputs in this order, so a parameter's update and
 * its moments sit side by side and share one loop.
 */
function byParameter(carried: Record<string, Expr>, paths: readonly string[]): Record<string, Expr> {
  const names = Object.keys(carried);
  const order = paths.flatMap((p) => names.filter((n) => n === `param:${p}` || (n.startsWith("opt:") && n.endsWith(`.${p}`))));
  return Object.fromEntries([...new Set([...order, ...names])].map((n) => [n, carried[n] as Expr]));
}

/** Options of a training step. */
export interface StepOptions {
  /**
   * Check that the loss and the gradient norm are finite (default true): the check is computed in
   * the compiled step, and a step that fails it is not applied and throws a `NonFiniteError`.
   */
  readonly checkFinite?: boolean;
}

/**
 * Builds one training step as a graph: forward in train mode, loss, gradients of the loss with
 * respect to every parameter, and the optimiser's update; with `checkFinite`, a `finite` flag
 * output and every update conditional on it.
 * @example
 * const g = stepGraph(model, mse, adam(), ts, batch);   // g.outputs.loss, g.outputs["param:0.weight"], …
 */
export function stepGraph(model: Layer, loss: Loss, optimizer: Optimizer, ts: TrainState, batch: Batch, options: StepOptions = {}): StepGraph {
  const p = inputsFor("param", ts.params);
  const s = inputsFor("state", ts.state);
  const o = inputsFor("opt", ts.opt);
  const x = input("x", batch.x.shape, batch.x.dtype);
  const y = input("y", batch.y.shape, batch.y.dtype);
  const key = input("key", [2], "i32");
  const { y: output, state } = model.call(p.vars, s.vars, x, { mode: "train", key });
  const value = loss(output, y);
  const paths = Object.keys(flatten(ts.params));
  const gs = grad(value, paths.map((path) => p.nodes[`param:${path}`] as Expr));
  const grads = unflatten(ts.params, Object.fromEntries(paths.map((path, i) => [path, gs[i] as Expr])));
  const next = optimizer.update(grads, o.vars, p.vars);
  let carried = byParameter({ ...prefixed<Expr>("param", next.params), ...prefixed<Expr>("opt", next.state) }, paths);
  carried = { ...carried, ...prefixed<Expr>("state", state) };
  const inputs: Record<string, Expr> = { ...p.nodes, ...s.nodes, ...o.nodes, x, y, key };
  const outputs: Record<string, Expr> = { loss: value, output };
  if (options.checkFinite ?? true) {
    const finite = finiteFlag(value, gs as Expr[]);
    carried = Object.fromEntries(Object.entries(carried).map(([name, e]) => [name, gated(finite, e, inputs[name] as Expr)]));
    outputs.finite = finite;
  }
  return { inputs, outputs: { ...outputs, ...carried }, donate: Object.fromEntries(Object.keys(carried).map((n) => [n, n])) };
}

/**
 * A training run whose state lives in the compiled program: each step sets the batch and a key,
 * runs once, and the donated parameters, buffers and moments update in place.
 */
export interface TrainSession<
  I extends Shape = Shape,
  P extends Params = Params,
  B extends Params = Params,
  S extends Params = Params,
  O extends Shape = Shape,
  L extends AnyLoss = Loss,
> {
  /** One step; returns the loss (before the update). x must end in the model's input features, and the loss take the output and y. */
  readonly step: <X extends Shape, Y extends Shape, DX extends DType, DY extends DType>(batch: Batch<X, Y, DX, DY> & BatchCheck<X, Y, DX, DY, I, O, L>) => number;
  /** The last step's model output, as a tensor over the program's memory (valid until the next step). */
  readonly output: () => Tensor;
  /** The current state as plain tensors (copied out). */
  readonly snapshot: () => TrainState<P, B, S>;
}

/** Any function of a prediction and a target, as `trainStep` takes its loss (checked against each batch). */
export type AnyLoss = (prediction: never, target: never) => Expr;

/**
 * `unknown` when the batch's x ends in the model's features I and loss L takes the model's output
 * on x (features O) and y, else a ShapeMismatch on the batch.
 */
type BatchCheck<X extends Shape, Y extends Shape, DX extends DType, DY extends DType, I extends Shape, O extends Shape, L> = FeatureCheck<"trainStep", X, I> &
  (L extends LossForBatches<Batch<X, Y, DX, DY>, I, O>
    ? unknown
    : ShapeMismatch<`trainStep: the loss does not take the model's output ${DX}${ShowShape<ApplyOut<X, I, O>>} and y ${DY}${ShowShape<Y>}`>);

/**
 * A training step compiled once per batch shape, for a model with input features I and trees P
 * (parameters), B (buffers) and S (optimiser state): a state of another model is a type error.
 */
export interface Trainer<
  I extends Shape = Shape,
  P extends Params = Params,
  B extends Params = Params,
  S extends Params = Params,
  O extends Shape = Shape,
  L extends AnyLoss = Loss,
> {
  /** A fresh training state: the optimiser's initial state for `params`, and layer buffers. */
  readonly init: <Q extends Params>(params: Checked<TreeCheck<"trainStep: params", Q, P>, Q, P>, options?: { state?: B; key?: Key }) => TrainState<P, B, S>;
  /** A session that keeps the state resident from `ts` on. */
  readonly session: <T extends TrainState>(ts: Checked<StateCheck<"trainStep", T, P, B, S>, T, TrainState<P, B, S>>) => TrainSession<I, P, B, S, O, L>;
  /** One step as a pure function of the state (copies the state in and out). */
  readonly step: <T extends TrainState, X extends Shape, Y extends Shape, DX extends DType, DY extends DType>(
    ts: Checked<StateCheck<"trainStep", T, P, B, S>, T, TrainState<P, B, S>>,
    batch: Batch<X, Y, DX, DY> & BatchCheck<X, Y, DX, DY, I, O, L>,
  ) => { readonly ts: TrainState<P, B, S>; readonly loss: number; readonly output: Tensor };
}

/** `unknown` when a training state's trees are the model's and its optimiser's, else a ShapeMismatch naming the path. */
export type StateCheck<Op extends string, T, P extends Params, B extends Params, S extends Params> =
  T extends TrainState<infer TP, infer TB, infer TS>
    ? ShapeMismatchOf<`${Op}: ${TreeDiffs<TP, P, "ts.params."> | TreeDiffs<TB, B, "ts.state."> | TreeDiffs<TS, S, "ts.opt.">}`>
    : unknown;

/** A trainer as implemented: the same functions, without the type-level checks. */
interface UncheckedTrainer {
  readonly init: (params: Params, options?: { state?: Params; key?: Key }) => TrainState;
  readonly session: (ts: TrainState) => UncheckedSession;
  readonly step: (ts: TrainState, batch: Batch) => { readonly ts: TrainState; readonly loss: number; readonly output: Tensor };
}
type UncheckedSession = Omit<TrainSession, "step"> & { readonly step: (batch: Batch) => number };

/** Options of `trainStep` (and `fit`): the step's checks, and how its programs compile. */
export interface TrainOptions extends StepOptions {
  /** Threads of the compiled step, as `compile`'s option: `"auto"` (default), or a count (1: never a worker). */
  readonly threads?: number | "auto";
  /**
   * Allow relaxed-SIMD kernels (fused multiply-add in the matrix products) where the engine has
   * them, as `compile`'s option (default false): faster on CPUs with FMA, and the bits then
   * depend on the machine.
   */
  readonly relaxedSimd?: boolean;
}

/**
 * Makes the training step of `model` with `loss` and `optimizer`: forward, loss, gradients and
 * update compile into one program per batch shape, with parameters, buffers and moments donated.
 * Steps are built and compiled once and shared by every session of the same model, loss,
 * optimiser and options.
 * @example
 * const trainer = trainStep(model, mse, adam({ lr: 0.02 }));
 * const run = trainer.session(trainer.init(model.init(key(0))));
 * const loss = run.step({ x, y });
 */
export function trainStep<I extends Shape, O extends Shape, P extends Params, B extends Params, K extends string, L extends Loss>(
  model: Layer<I, O, P, B>,
  loss: L,
  optimizer: Optimizer<K>,
  options?: TrainOptions,
): Trainer<I, P, B, OptState<K, P>, O, L>;
// A loss with typed parameters (not a Loss: it does not take any Expr); the first signature gives a lambda's parameters the type Expr.
export function trainStep<I extends Shape, O extends Shape, P extends Params, B extends Params, K extends string, L extends AnyLoss>(
  model: Layer<I, O, P, B>,
  loss: L,
  optimizer: Optimizer<K>,
  options?: TrainOptions,
): Trainer<I, P, B, OptState<K, P>, O, L>;
export function trainStep(model: Layer, loss: Loss, optimizer: Optimizer, options: TrainOptions = {}): UncheckedTrainer {
  const spec = specOf(model, loss, optimizer, options);
  // The functional `step` shares one set of scratch programs: a new session loads the whole state
  // before its first run, so nothing carries over between calls.
  const scratch: ConstructorParameters<typeof Session>[2] = new Map();
  return {
    init: (params, init = {}) => ({
      params,
      state: init.state ?? model.initState(dtypeOf(params, "trainStep", "f32")),
      opt: optimizer.init(params),
      key: init.key ?? makeKey(0),
      step: 0,
    }),
    session: (ts) => new Session(spec, ts),
    step: (ts, batch) => {
      const s = new Session(spec, ts, scratch);
      const value = s.step(batch);
      const out = s.output();
      return { ts: s.snapshot(), loss: value, output: new Tensor(out.shape, out.dtype, out.data.slice()) };
    },
  };
}
