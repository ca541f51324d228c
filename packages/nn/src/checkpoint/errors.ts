// Checkpoint errors as data: IO and parsing return them in an Either/TaskEither; the throwing
// helpers wrap them in CheckpointLoadError. Every error carries a message that says what is wrong.

/** Why a checkpoint could not be read, written or matched to a model. */
export type CheckpointError =
  | { readonly kind: "io"; readonly path: string; readonly message: string }
  | { readonly kind: "truncated"; readonly message: string }
  | { readonly kind: "header-length"; readonly message: string }
  | { readonly kind: "bad-header"; readonly message: string }
  | { readonly kind: "bad-entry"; readonly name: string; readonly message: string }
  | { readonly kind: "offsets"; readonly names: readonly string[]; readonly message: string }
  | ({ readonly kind: "mismatch"; readonly message: string } & StateDictMismatch);

/** Everything that keeps a state_dict from fitting a model, all at once. */
export interface StateDictMismatch {
  /** Keys the model has and the file lacks. */
  readonly missing: readonly string[];
  /** Keys the file has and the model lacks (reported only by strict loading). */
  readonly unexpected: readonly string[];
  /** Keys present in both with different shapes. */
  readonly shapes: readonly { readonly name: string; readonly file: readonly number[]; readonly model: readonly number[] }[];
  /** Keys present in both with different dtypes. */
  readonly dtypes: readonly { readonly name: string; readonly file: string; readonly model: string }[];
}

/** The kinds of checkpoint errors. */
export type CheckpointErrorKind = CheckpointError["kind"];

/** Thrown by the `…OrThrow` helpers; `error` is the typed cause. */
export class CheckpointLoadError extends Error {
  override name = "CheckpointLoadError";
  constructor(readonly error: CheckpointError) {
    super(`checkpoint (${error.kind}): ${error.message}`);
  }
}
