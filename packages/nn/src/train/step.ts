import { type ConcreteShape, type Expr, type Key, type Tensor, foldIn, grad, input, key as makeKey } from "@typegrad/core";
import type { Layer } from "../layer.js";
import type { Optimizer } from "../optim/optimizer.js";
import { type Params, type Vars, flatten, mapTree, unflatten } from "../tree.js";
import { type Runner, makeRunner } from "./program.js";

/** A loss of the model's output and the target. */
export type LossFn = (output: Expr, target: Expr) => Expr;

/** One batch: inputs x and targets y (labels or values); `size` counts real (unpadded) samples. */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly size?: number;
}

/** Everything a training run carries from step to step. Plain data: save it, copy it, resume it. */
export interface TrainState {
  readonly params: Params;
  /** Buffers of stateful layers (batch norm). */
  readonly state: Params;
  /** Optimiser state (step counter, moments). */
  readonly opt: Params;
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
  /** Names of the inputs that outputs of the same name replace (for donation). */
  readonly donate: readonly string[];
}

/** Input nodes named `<prefix>:<path>` shaped like the leaves of `tree`. */
function inputsFor(prefix: string, tree: Params): { vars: Vars; nodes: Record<string, Expr> } {
  const nodes: Record<string, Expr> = {};
  const vars = mapTree(tree, (t: Tensor, path) => (nodes[`${prefix}:${path}`] = input(`${prefix}:${path}`, t.shape, t.dtype)));
  return { vars, nodes };
}

const prefixed = (prefix: string, tree: Vars): Record<string, Expr> =>
  Object.fromEntries(Object.entries(flatten(tree)).map(([path, e]) => [`${prefix}:${path}`, e]));

/**
 * Builds one training step as a graph: forward in train mode, loss, gradients of the loss with
 * respect to every parameter, and the optimiser's update.
 * @example
 * const g = stepGraph(model, mse, adam(), ts, batch);   // g.outputs.loss, g.outputs["param:0.weight"], …
 */
export function stepGraph(model: Layer, loss: LossFn, optimizer: Optimizer, ts: TrainState, batch: Batch): StepGraph {
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
  const outputs = { loss: value, output, ...prefixed("param", next.params), ...prefixed("state", state), ...prefixed("opt", next.state) };
  const inputs = { ...p.nodes, ...s.nodes, ...o.nodes, x, y, key };
  return { inputs, outputs, donate: Object.keys(outputs).filter((n) => n in inputs) };
}

/** A compiled (cached per batch shape) training step. */
export interface Trainer {
  /** A fresh training state: the optimiser's initial state for `params`, and layer buffers. */
  readonly init: (params: Params, options?: { state?: Params; key?: Key }) => TrainState;
  /** One step on a batch: the new state, the loss before the update, and the model's output. */
  readonly step: (ts: TrainState, batch: Batch) => { readonly ts: TrainState; readonly loss: number; readonly output: Tensor };
}

const shapeKey = (t: Tensor): string => `${t.dtype}[${(t.shape as ConcreteShape).join(",")}]`;

/**
 * Makes the training step of `model` with `loss` and `optimizer`: loss, gradients and update run
 * as one program per batch shape, parameters and moments donated so they can update in place.
 * @example
 * const trainer = trainStep(model, mse, adam({ lr: 0.02 }));
 * let ts = trainer.init(model.init(key(0)));
 * ({ ts } = trainer.step(ts, { x, y }));
 */
export function trainStep(model: Layer, loss: LossFn, optimizer: Optimizer): Trainer {
  const cache = new Map<string, Runner>();
  const step: Trainer["step"] = (ts, batch) => {
    const sig = `${shapeKey(batch.x)}→${shapeKey(batch.y)}`;
    let runner = cache.get(sig);
    if (runner === undefined) {
      const g = stepGraph(model, loss, optimizer, ts, batch);
      runner = makeRunner(g.outputs, { donate: g.donate });
      cache.set(sig, runner);
    }
    const bindings: Record<string, Tensor> = {
      ...prefixedTensors("param", ts.params),
      ...prefixedTensors("state", ts.state),
      ...prefixedTensors("opt", ts.opt),
      x: batch.x,
      y: batch.y,
      key: foldIn(ts.key, ts.step),
    };
    const out = runner.run(bindings);
    const take = (prefix: string, like: Params): Params => unflatten(like, Object.fromEntries(Object.keys(flatten(like)).map((path) => [path, out[`${prefix}:${path}`] as Tensor])));
    const next: TrainState = {
      params: take("param", ts.params),
      state: take("state", ts.state),
      opt: take("opt", ts.opt),
      key: ts.key,
      step: ts.step + 1,
    };
    return { ts: next, loss: (out.loss as Tensor).item(), output: out.output as Tensor };
  };
  return {
    init: (params, options = {}) => ({
      params,
      state: options.state ?? model.initState(firstDtype(params)),
      opt: optimizer.init(params),
      key: options.key ?? makeKey(0),
      step: 0,
    }),
    step,
  };
}

function prefixedTensors(prefix: string, tree: Params): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(flatten(tree)).map(([path, t]) => [`${prefix}:${path}`, t]));
}

function firstDtype(params: Params): "f32" | "f64" {
  const first = Object.values(flatten(params))[0];
  return first?.dtype === "f64" ? "f64" : "f32";
}
