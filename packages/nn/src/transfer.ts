// Training in a Web Worker (or a Node worker_thread): what crosses `postMessage`. A structured
// clone turns a Tensor (a class instance) into a plain object, so trees cross as flat records of
// { shape, dtype, data } by dotted path, with their buffers in the transfer list (moved, not
// copied); progress crosses as plain events.
import { type ArrayFor, type DType, type Key, Tensor, ValueError } from "@typegrad/core";
import type { ModelValues } from "./checkpoint/stateDict.js";
import type { Callback, EpochLog } from "./train/fit.js";
import type { TrainState } from "./train/step.js";
import { type Params, flatten } from "./tree.js";

/** A tensor as plain data. */
export interface PackedTensor {
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly data: ArrayFor<DType>;
}

/** A tree of tensors as plain data: leaves by dotted path ("0.weight"). */
export type PackedTree = Readonly<Record<string, PackedTensor>>;

/** A training state as plain data. */
export interface PackedState {
  readonly params: PackedTree;
  readonly state: PackedTree;
  readonly opt: PackedTree;
  readonly key: PackedTensor;
  readonly step: number;
}

/** Something to post, and the buffers to transfer with it. */
export interface Packed<T> {
  readonly message: T;
  readonly transfer: ArrayBuffer[];
}

/** Progress of `fit` as plain data: a throttled batch event, and every epoch's log. */
export type TrainEvent =
  | { readonly kind: "batch"; readonly epoch: number; readonly batch: number; readonly loss: number }
  | { readonly kind: "epoch"; readonly log: EpochLog };

function packTensor(t: Tensor, transfer: ArrayBuffer[]): PackedTensor {
  if (t.shape.some((d) => typeof d !== "number")) throw new ValueError("packTree", "tensors of concrete shape", `[${t.shape.join(",")}]`);
  // A copy, so the sender's tensors stay valid and a view into a larger buffer sends only itself.
  const data = t.data.slice();
  transfer.push(data.buffer as ArrayBuffer);
  return { shape: t.shape as readonly number[], dtype: t.dtype, data };
}

const packFlat = (tree: Params, transfer: ArrayBuffer[]): PackedTree =>
  Object.fromEntries(Object.entries(flatten(tree)).map(([path, t]) => [path, packTensor(t, transfer)]));

/**
 * A snapshot of a tree (parameters, buffers) to post: copies whose buffers are transferred.
 * @example
 * const { message, transfer } = packTree(ts.params);
 * postMessage({ params: message }, transfer);
 */
export function packTree(tree: Params): Packed<PackedTree> {
  const transfer: ArrayBuffer[] = [];
  return { message: packFlat(tree, transfer), transfer };
}

/**
 * A snapshot of a whole training state to post (to resume elsewhere or save a checkpoint).
 * @example
 * const { message, transfer } = packState(session.snapshot());
 */
export function packState(ts: TrainState): Packed<PackedState> {
  const transfer: ArrayBuffer[] = [];
  const message = { params: packFlat(ts.params, transfer), state: packFlat(ts.state, transfer), opt: packFlat(ts.opt, transfer), key: packTensor(ts.key, transfer), step: ts.step };
  return { message, transfer };
}

const unpackTensor = (p: PackedTensor): Tensor => new Tensor(p.shape, p.dtype, p.data);

/** A tree under construction: nested records of tensors. */
type Nested = { [name: string]: Tensor | Nested };

/**
 * The tree of a `packTree` message, nested again by the dots of its paths.
 * @example
 * const params = unpackTree(event.data.params);   // { 0: { weight, bias }, 2: { … } }
 */
export function unpackTree(packed: PackedTree): Params {
  const root: Nested = {};
  for (const [path, p] of Object.entries(packed)) {
    const keys = path.split(".");
    let node = root;
    for (const k of keys.slice(0, -1)) {
      const next = node[k] ?? (node[k] = {});
      if (next instanceof Tensor) throw new ValueError("unpackTree", `a subtree at "${k}" of "${path}"`, "a leaf");
      node = next;
    }
    node[keys[keys.length - 1] as string] = unpackTensor(p);
  }
  return root;
}

function unpackKey(p: PackedTensor): Key {
  if (!(p.data instanceof Int32Array) || p.shape.length !== 1 || p.shape[0] !== 2) throw new ValueError("unpackState", "a key of shape [2] and dtype i32", `${p.dtype}[${p.shape.join(",")}]`);
  return new Tensor([2] as const, "i32", p.data);
}

/** The training state of a `packState` message. */
export function unpackState(p: PackedState): TrainState {
  return { params: unpackTree(p.params), state: unpackTree(p.state), opt: unpackTree(p.opt), key: unpackKey(p.key), step: p.step };
}

/** Parameters and buffers of a `packState` message, as `predict` and `saveCheckpoint` take them. */
export const unpackValues = (p: Pick<PackedState, "params" | "state">): ModelValues => ({ params: unpackTree(p.params), state: unpackTree(p.state) });

/**
 * A `fit` callback that posts progress: every epoch's log, and batch events at most every
 * `everyMs` milliseconds (default 100), so the receiving page is not flooded.
 * @example
 * fit({ …, progress: false, callbacks: [postProgress((e) => postMessage(e))] });
 */
export function postProgress(post: (event: TrainEvent) => void, options: { readonly everyMs?: number } = {}): Callback {
  const every = options.everyMs ?? 100;
  let last = -Infinity;
  return {
    onBatchEnd: ({ epoch, batch, loss }) => {
      const now = performance.now();
      if (now - last < every) return;
      last = now;
      post({ kind: "batch", epoch, batch, loss });
    },
    onEpochEnd: (log) => void post({ kind: "epoch", log }),
  };
}
