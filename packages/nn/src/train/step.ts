import { type Expr, type Key, type Program, type Shape, type ShapeMismatch, Tensor, compile, foldIn, grad, input, key as makeKey, ValueError } from "@typegrad/core";
import type { Layer } from "../layer.js";
import { type OptState, type Optimizer, dtypeOf } from "../optim/optimizer.js";
import type { Checked, FeatureCheck, TreeCheck, TreeDiffs } from "../shapes.js";
import { type Leaf, type Params, type Tree, type Vars, flatten, mapTree, unflatten } from "../tree.js";
import type { Loss } from "../losses.js";

/** One batch: inputs x [...B, ...features] and targets y (labels or values); `size` counts real (unpadded) samples. */
export interface Batch<X extends Shape = Shape, Y extends Shape = Shape> {
  readonly x: Tensor<X>;
  readonly y: Tensor<Y>;
  readonly size?: number;
}

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
 * Builds one training step as a graph: forward in train mode, loss, gradients of the loss with
 * respect to every parameter, and the optimiser's update.
 * @example
 * const g = stepGraph(model, mse, adam(), ts, batch);   // g.outputs.loss, g.outputs["param:0.weight"], …
 */
export function stepGraph(model: Layer, loss: Loss, optimizer: Optimizer, ts: TrainState, batch: Batch): StepGraph {
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
  const carried = { ...prefixed<Expr>("param", next.params), ...prefixed<Expr>("state", state), ...prefixed<Expr>("opt", next.state) };
  const inputs = { ...p.nodes, ...s.nodes, ...o.nodes, x, y, key };
  return { inputs, outputs: { loss: value, output, ...carried }, donate: Object.fromEntries(Object.keys(carried).map((n) => [n, n])) };
}

/**
 * A training run whose state lives in the compiled program: each step sets the batch and a key,
 * runs once, and the donated parameters, buffers and moments update in place.
 */
export interface TrainSession<I extends Shape = Shape, P extends Params = Params, B extends Params = Params, S extends Params = Params> {
  /** One step; returns the loss (before the update). x must end in the model's input features. */
  readonly step: <X extends Shape, Y extends Shape>(batch: Batch<X, Y> & BatchCheck<"trainStep", X, I>) => number;
  /** The last step's model output, as a tensor over the program's memory (valid until the next step). */
  readonly output: () => Tensor;
  /** The current state as plain tensors (copied out). */
  readonly snapshot: () => TrainState<P, B, S>;
}

/** `unknown` when the batch's x ends in the model's features I, else a ShapeMismatch on the batch. */
type BatchCheck<Op extends string, X extends Shape, I extends Shape> = FeatureCheck<Op, X, I>;

/**
 * A training step compiled once per batch shape, for a model with input features I and trees P
 * (parameters), B (buffers) and S (optimiser state): a state of another model is a type error.
 */
export interface Trainer<I extends Shape = Shape, P extends Params = Params, B extends Params = Params, S extends Params = Params> {
  /** A fresh training state: the optimiser's initial state for `params`, and layer buffers. */
  readonly init: <Q extends Params>(params: Checked<Q, TreeCheck<"trainStep: params", Q, P>>, options?: { state?: B; key?: Key }) => TrainState<P, B, S>;
  /** A session that keeps the state resident from `ts` on. */
  readonly session: <T extends TrainState>(ts: Checked<T, StateCheck<T, P, B, S>>) => TrainSession<I, P, B, S>;
  /** One step as a pure function of the state (copies the state in and out). */
  readonly step: <T extends TrainState, X extends Shape, Y extends Shape>(
    ts: Checked<T, StateCheck<T, P, B, S>>,
    batch: Batch<X, Y> & BatchCheck<"trainStep", X, I>,
  ) => { readonly ts: TrainState<P, B, S>; readonly loss: number; readonly output: Tensor };
}

/** `unknown` when a training state's trees are the model's and its optimiser's, else a ShapeMismatch naming the path. */
export type StateCheck<T, P extends Params, B extends Params, S extends Params> =
  T extends TrainState<infer TP, infer TB, infer TS>
    ? [TreeDiffs<TP, P, "ts.params."> | TreeDiffs<TB, B, "ts.state."> | TreeDiffs<TS, S, "ts.opt.">] extends [never]
      ? unknown
      : ShapeMismatch<`trainStep: ${TreeDiffs<TP, P, "ts.params."> | TreeDiffs<TB, B, "ts.state."> | TreeDiffs<TS, S, "ts.opt.">}`>
    : unknown;

/** A trainer as implemented: the same functions, without the type-level checks. */
interface UncheckedTrainer {
  readonly init: (params: Params, options?: { state?: Params; key?: Key }) => TrainState;
  readonly session: (ts: TrainState) => UncheckedSession;
  readonly step: (ts: TrainState, batch: Batch) => { readonly ts: TrainState; readonly loss: number; readonly output: Tensor };
}
type UncheckedSession = Omit<TrainSession, "step"> & { readonly step: (batch: Batch) => number };

/** Options of `trainStep` (and `fit`): how its programs compile. */
export interface TrainOptions {
  /** Threads of the compiled step, as `compile`'s option: `"auto"` (default), or a count (1: never a worker). */
  readonly threads?: number | "auto";
}

const signature = (b: Batch): string => `${b.x.dtype}[${b.x.shape.join(",")}]→${b.y.dtype}[${b.y.shape.join(",")}]`;

/**
 * Makes the training step of `model` with `loss` and `optimizer`: forward, loss, gradients and
 * update compile into one program per batch shape, with parameters, buffers and moments donated.
 * @example
 * const trainer = trainStep(model, mse, adam({ lr: 0.02 }));
 * const run = trainer.session(trainer.init(model.init(key(0))));
 * const loss = run.step({ x, y });
 */
export function trainStep<I extends Shape, O extends Shape, P extends Params, B extends Params, K extends string>(
  model: Layer<I, O, P, B>,
  loss: Loss,
  optimizer: Optimizer<K>,
  options?: TrainOptions,
): Trainer<I, P, B, OptState<K, P>>;
export function trainStep(model: Layer, loss: Loss, optimizer: Optimizer, options: TrainOptions = {}): UncheckedTrainer {
  // Graphs are built once per batch shape; every session compiles its own programs from them
  // (the compiler caches plans and kernels per graph, so that is cheap), because a program's
  // memory holds the state of the run that uses it.
  const graphs = new Map<string, StepGraph>();
  const graphFor = (ts: TrainState, batch: Batch, sig: string): StepGraph => {
    let g = graphs.get(sig);
    if (g === undefined) {
      g = stepGraph(model, loss, optimizer, ts, batch);
      graphs.set(sig, g);
    }
    return g;
  };

  // A session's programs hold its state. The functional `step` shares one set of scratch programs:
  // it loads the whole state before every run, so nothing carries over between its calls.
  const scratch = new Map<string, Program>();
  const open = (start: TrainState, programs: Map<string, Program>): UncheckedSession => {
    let current: { sig: string; program: Program } | undefined;
    let steps = start.step;
    const initial: Record<string, Tensor> = { ...prefixed<Tensor>("param", start.params), ...prefixed<Tensor>("state", start.state), ...prefixed<Tensor>("opt", start.opt) };
    return {
      step: (batch) => {
        const sig = `${signature(batch)} ${dtypeOf(start.params, "trainStep", "f32")}`;
        if (current?.sig !== sig) {
          const g = graphFor(start, batch, sig);
          const program = programs.get(sig) ?? compile(g.inputs, g.outputs, { donate: g.donate, ...options });
          programs.set(sig, program);
          // Carry the state over from the previous program, or load it from the start state.
          for (const name of Object.keys(g.donate)) program.set(name, current ? current.program.view(name) : (initial[name] as Tensor));
          current = { sig, program };
        }
        const prog = current.program;
        prog.set("x", batch.x.data).set("y", batch.y.data).set("key", foldIn(start.key, steps).data);
        prog.execute();
        steps++;
        return prog.view("loss")[0] as number;
      },
      output: () => {
        if (current === undefined) throw new ValueError("trainStep", "a step run before reading its state", "none yet");
        const prog = current.program;
        return new Tensor(prog.shapeOf("output"), prog.outputs.get("output")?.dtype ?? "f32", prog.view("output"));
      },
      snapshot: () => {
        const prog = current?.program;
        const read = (prefix: string, like: Params): Params => (prog ? mapTree(like, (_t, path) => prog.get(`${prefix}:${path}`)) : like);
        return { params: read("param", start.params), state: read("state", start.state), opt: read("opt", start.opt), key: start.key, step: steps };
      },
    };
  };

  return {
    init: (params, options = {}) => ({
      params,
      state: options.state ?? model.initState(dtypeOf(params, "trainStep", "f32")),
      opt: optimizer.init(params),
      key: options.key ?? makeKey(0),
      step: 0,
    }),
    session: (ts) => open(ts, new Map()),
    step: (ts, batch) => {
      const s = open(ts, scratch);
      const value = s.step(batch);
      const out = s.output();
      return { ts: s.snapshot(), loss: value, output: new Tensor(out.shape, out.dtype, out.data.slice()) };
    },
  };
}

