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
  | { readonly kind: "missing-keys"; readonly keys: readonly string[]; readonly message: string }
  | { readonly kind: "unexpected-keys"; readonly keys: readonly string[]; readonly message: string }
  | { readonly kind: "shape-mismatch"; readonly name: string; readonly message: string }
  | { readonly kind: "dtype-mismatch"; readonly name: string; readonly message: string };

/** The kinds of checkpoint errors. */
export type CheckpointErrorKind = CheckpointError["kind"];

/** Thrown by the `…OrThrow` helpers; `error` is the typed cause. */
export class CheckpointLoadError extends Error {
  override name = "CheckpointLoadError";
  constructor(readonly error: CheckpointError) {
    super(`checkpoint (${error.kind}): ${error.message}`);
  }
}
