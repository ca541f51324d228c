// PyTorch-compatible state_dicts: one flat record of tensors keyed by dotted path, parameters
// first then buffers, as `module.state_dict()` lists them for the same architecture.
import { Tensor, ValueError, sameShape, showShape } from "@typegrad/core";
import { either as E } from "fp-ts";
import { type Params, flatten, unflatten } from "../tree.js";
import type { CheckpointError, StateDictMismatch } from "./errors.js";

/** A model's values: trainable parameters P and buffers B (state of stateful layers). */
export interface ModelValues<P extends Params = Params, B extends Params = Params> {
  readonly params: P;
  readonly state: B;
}

/** Parameters and buffers in one tree, each module's buffers right after its parameters (PyTorch's order). */
function merge(params: Params, state: Params, prefix: string): Params {
  const out: Record<string, Params | Tensor> = {};
  for (const name of new Set([...Object.keys(params), ...Object.keys(state)])) {
    const [p, s] = [params[name], state[name]];
    if (p !== undefined && s !== undefined) {
      if (isTensor(p) || isTensor(s)) throw new ValueError("stateDict", `"${prefix}${name}" to name a parameter or a buffer`, "both", "rename the buffer");
      out[name] = merge(p, s, `${prefix}${name}.`);
    } else out[name] = (p ?? s) as Params | Tensor;
  }
  return out;
}

const isTensor = (v: Params | Tensor): v is Tensor => v instanceof Tensor;

/**
 * The flat state_dict of parameters and buffers, keyed and ordered as PyTorch's
 * `module.state_dict()` ("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", …).
 * @example
 * stateDict(params, state);   // { "0.weight": Tensor, "0.bias": Tensor, … }
 */
export function stateDict(params: Params, state: Params = {}): Record<string, Tensor> {
  return flatten(merge(params, state, ""));
}

/** Options of `loadStateDict`. */
export interface LoadStateDictOptions {
  /** Reject keys the model does not have (default true, as PyTorch's strict loading). */
  readonly strict?: boolean;
}

/**
 * Matches a flat state_dict to the structure of `like` (e.g. a fresh `init`), checking that
 * every key is present with the same shape and dtype, and (strict) that no key is left over.
 * @example
 * const r = loadStateDict({ params: model.init(key(0)), state: model.initState() }, tensors);
 */
export function loadStateDict<P extends Params, B extends Params>(
  like: ModelValues<P, B>,
  tensors: Readonly<Record<string, Tensor>>,
  options?: LoadStateDictOptions,
): E.Either<CheckpointError, ModelValues<P, B>>;
export function loadStateDict(like: ModelValues, tensors: Readonly<Record<string, Tensor>>, options: LoadStateDictOptions = {}): E.Either<CheckpointError, ModelValues> {
  const { strict = true } = options;
  const expected = { ...flatten(like.params), ...flatten(like.state) };
  // Own keys only: a file naming a tensor "constructor" or "toString" must not match Object.prototype.
  const has = (o: object, k: string): boolean => Object.hasOwn(o, k);
  const shapes: StateDictMismatch["shapes"][number][] = [];
  const dtypes: StateDictMismatch["dtypes"][number][] = [];
  for (const [name, want] of Object.entries(expected)) {
    const got = has(tensors, name) ? tensors[name] : undefined;
    if (got === undefined) continue;
    if (!sameShape(got.shape, want.shape)) shapes.push({ name, file: got.shape as readonly number[], model: want.shape as readonly number[] });
    else if (got.dtype !== want.dtype) dtypes.push({ name, file: got.dtype, model: want.dtype });
  }
  const mismatch: StateDictMismatch = {
    missing: Object.keys(expected).filter((k) => !has(tensors, k)),
    unexpected: strict ? Object.keys(tensors).filter((k) => !has(expected, k)) : [],
    shapes,
    dtypes,
  };
  const { missing, unexpected } = mismatch;
  if (missing.length + unexpected.length + shapes.length + dtypes.length > 0) return E.left({ kind: "mismatch", message: describeMismatch(mismatch), ...mismatch });
  return E.right({ params: unflatten(like.params, tensors), state: unflatten(like.state, tensors) });
}

/** One line per kind of problem, e.g. `missing keys: 3.bias; "0.weight" has shape [2,1] in the checkpoint but [3,1] in the model`. */
function describeMismatch({ missing, unexpected, shapes, dtypes }: StateDictMismatch): string {
  const quote = (keys: readonly string[]): string => keys.map((k) => JSON.stringify(k)).join(", ");
  return [
    missing.length ? `missing keys: ${quote(missing)}` : "",
    unexpected.length ? `unexpected keys: ${quote(unexpected)} (load with { strict: false } to ignore them)` : "",
    ...shapes.map((m) => `"${m.name}" has shape ${showShape(m.file)} in the checkpoint but ${showShape(m.model)} in the model`),
    ...dtypes.map((m) => `"${m.name}" has dtype ${m.file} in the checkpoint but ${m.model} in the model`),
  ]
    .filter((line) => line !== "")
    .join("; ");
}
