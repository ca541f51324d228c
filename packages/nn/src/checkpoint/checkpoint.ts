// Model checkpoints: a state_dict in safetensors with the model's configuration in the metadata.
import { either as E, taskEither as TE } from "fp-ts";
import type { CheckpointError } from "./errors.js";
import { loadSafetensors, orThrow, saveSafetensors } from "./io.js";
import type { Safetensors } from "./safetensors.js";
import type { Params } from "../tree.js";
import { type LoadStateDictOptions, type ModelValues, loadStateDict, stateDict } from "./stateDict.js";

/** The metadata key holding the JSON model configuration. */
export const CONFIG_KEY = "typegrad.config";

/** Options of `saveCheckpoint`. */
export interface SaveOptions {
  /** Any JSON value describing the model (sizes, activation, …), stored under "typegrad.config". */
  readonly config?: unknown;
  /** More string metadata. `format: "pt"` is added unless given, as PyTorch's loaders expect. */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** A loaded checkpoint: values shaped like the model's, and what the file says about itself. */
export interface Checkpoint<P extends Params = Params, B extends Params = Params> extends ModelValues<P, B> {
  readonly metadata: Readonly<Record<string, string>>;
  /** The parsed configuration, when the file has one. */
  readonly config: unknown;
}

/**
 * Saves parameters and buffers as a PyTorch-compatible safetensors state_dict, atomically.
 * @example
 * await saveCheckpoint("net.safetensors", { params, state }, { config: { sizes: [1, 2, 5, 1] } })();
 */
export function saveCheckpoint(path: string, values: ModelValues, options: SaveOptions = {}): TE.TaskEither<CheckpointError, void> {
  const metadata: Record<string, string> = { format: "pt", ...options.metadata };
  if (options.config !== undefined) metadata[CONFIG_KEY] = JSON.stringify(options.config);
  return saveSafetensors(path, stateDict(values.params, values.state), metadata);
}

/**
 * Loads a checkpoint into the structure of `like` (a fresh init of the same model), validating the
 * file and the keys, shapes and dtypes against the model.
 * @example
 * const r = await loadCheckpoint("net.safetensors", { params: model.init(key(0)), state: model.initState() })();
 */
export function loadCheckpoint<P extends Params, B extends Params>(
  path: string,
  like: ModelValues<P, B>,
  options: LoadStateDictOptions = {},
): TE.TaskEither<CheckpointError, Checkpoint<P, B>> {
  return TE.chainEitherK((file: Safetensors): E.Either<CheckpointError, Checkpoint<P, B>> => {
    const values = loadStateDict(like, file.tensors, options);
    if (E.isLeft(values)) return values;
    const text = file.metadata[CONFIG_KEY];
    let config: unknown;
    if (text !== undefined) {
      try {
        config = JSON.parse(text);
      } catch {
        return E.left<CheckpointError>({ kind: "bad-header", message: `metadata "${CONFIG_KEY}" is not valid JSON` });
      }
    }
    return E.right({ ...values.right, metadata: file.metadata, config });
  })(loadSafetensors(path));
}

/** `saveCheckpoint`, throwing a CheckpointLoadError on failure (for scripts). */
export const saveCheckpointOrThrow = (path: string, values: ModelValues, options: SaveOptions = {}): Promise<void> => orThrow(saveCheckpoint(path, values, options));

/** `loadCheckpoint`, throwing a CheckpointLoadError on failure (for scripts). */
export const loadCheckpointOrThrow = <P extends Params, B extends Params>(path: string, like: ModelValues<P, B>, options: LoadStateDictOptions = {}): Promise<Checkpoint<P, B>> =>
  orThrow(loadCheckpoint(path, like, options));
