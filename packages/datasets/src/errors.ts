/**
 * Typed errors for parsing and IO. Every error is a plain object with a `_tag` to switch on and a
 * `message` that names the file (or URL) and says what is wrong with it, so that printing
 * `error.message` is enough for a user to act.
 */

/** Why `parseIdx` rejected its input. */
export type IdxError =
  | { readonly _tag: "Truncated"; readonly message: string; readonly needed: number; readonly got: number }
  | { readonly _tag: "BadMagic"; readonly message: string; readonly magic: readonly number[] }
  | { readonly _tag: "UnknownDType"; readonly message: string; readonly code: number }
  | { readonly _tag: "DimensionOverflow"; readonly message: string; readonly dims: readonly number[] }
  | { readonly _tag: "SizeMismatch"; readonly message: string; readonly expectedBytes: number; readonly actualBytes: number }
  | { readonly _tag: "GzipCorrupt"; readonly message: string; readonly reason: string }
  | { readonly _tag: "GzipUnavailable"; readonly message: string };

/** Where a dataset can come from, in the default order they are tried. */
export type SourceKind = "dir" | "cache" | "debian" | "download" | "embedded";

/** Why a dataset could not be loaded from a source (or from any source). */
export type DatasetError =
  | { readonly _tag: "NotFound"; readonly message: string; readonly source: SourceKind; readonly path: string }
  | { readonly _tag: "ReadFailed"; readonly message: string; readonly path: string; readonly cause: string }
  | { readonly _tag: "WriteFailed"; readonly message: string; readonly path: string; readonly cause: string }
  | { readonly _tag: "InvalidIdx"; readonly message: string; readonly file: string; readonly error: IdxError }
  | { readonly _tag: "UnexpectedContent"; readonly message: string; readonly file: string }
  | {
      readonly _tag: "ChecksumMismatch";
      readonly message: string;
      readonly file: string;
      readonly expected: string;
      readonly actual: string;
      readonly from: string;
    }
  | { readonly _tag: "HttpStatus"; readonly message: string; readonly url: string; readonly status: number }
  | { readonly _tag: "Timeout"; readonly message: string; readonly url: string; readonly ms: number }
  | { readonly _tag: "NetworkFailed"; readonly message: string; readonly url: string; readonly cause: string }
  | { readonly _tag: "TooLarge"; readonly message: string; readonly url: string; readonly limit: number }
  | { readonly _tag: "DownloadFailed"; readonly message: string; readonly file: string; readonly attempts: readonly DatasetError[] }
  | { readonly _tag: "Unavailable"; readonly message: string; readonly source: SourceKind; readonly reason: string }
  | {
      readonly _tag: "NoSource";
      readonly message: string;
      readonly dataset: string;
      readonly attempts: readonly SourceAttempt[];
    };

/** One source that was tried and why it did not deliver. */
export interface SourceAttempt {
  readonly source: SourceKind;
  readonly error: DatasetError;
}

/** The fields of the `DatasetError` member tagged `T`, so constructors cannot drift from the union. */
type Fields<T extends DatasetError["_tag"]> = Omit<Extract<DatasetError, { _tag: T }>, "_tag">;

/** Constructors for `DatasetError`, so that every error is built with its message in one place. */
export const datasetError = {
  notFound: (source: SourceKind, path: string): DatasetError => ({
    _tag: "NotFound",
    source,
    path,
    message: `${path}: not found (${source})`,
  }),
  readFailed: (path: string, cause: string): DatasetError => ({ _tag: "ReadFailed", path, cause, message: `${path}: cannot read: ${cause}` }),
  writeFailed: (path: string, cause: string): DatasetError => ({ _tag: "WriteFailed", path, cause, message: `${path}: cannot write: ${cause}` }),
  invalidIdx: (file: string, error: IdxError): DatasetError => ({ _tag: "InvalidIdx", file, error, message: error.message }),
  unexpected: (file: string, what: string): DatasetError => ({ _tag: "UnexpectedContent", file, message: `${file}: ${what}` }),
  checksum: (f: Omit<Fields<"ChecksumMismatch">, "message">): DatasetError => ({
    _tag: "ChecksumMismatch",
    ...f,
    message: `${f.file}: SHA-256 mismatch for the copy from ${f.from}: expected ${f.expected}, got ${f.actual}`,
  }),
  httpStatus: (url: string, status: number, text = ""): DatasetError => ({ _tag: "HttpStatus", url, status, message: `${url}: HTTP ${status}${text ? ` ${text}` : ""}` }),
  timeout: (url: string, ms: number): DatasetError => ({ _tag: "Timeout", url, ms, message: `${url}: no data for ${ms} ms, gave up` }),
  deadline: (url: string, ms: number): DatasetError => ({
    _tag: "Timeout",
    url,
    ms,
    message: `${url}: not tried, the file's ${ms} ms deadline has passed (download.deadlineMs)`,
  }),
  network: (url: string, cause: string): DatasetError => ({ _tag: "NetworkFailed", url, cause, message: `${url}: ${cause}` }),
  tooLarge: (url: string, limit: number): DatasetError => ({
    _tag: "TooLarge",
    url,
    limit,
    message: `${url}: response exceeds ${limit} bytes, larger than the file can be`,
  }),
  downloadFailed: (file: string, attempts: readonly DatasetError[]): DatasetError => ({
    _tag: "DownloadFailed",
    file,
    attempts,
    message: `${file}: every mirror failed (${attempts.map((a) => a.message).join("; ") || "no mirrors configured"})`,
  }),
  unavailable: (source: SourceKind, reason: string): DatasetError => ({
    _tag: "Unavailable",
    source,
    reason,
    message: `${source}: unavailable: ${reason}`,
  }),
  noSource: (dataset: string, attempts: readonly SourceAttempt[]): DatasetError => ({
    _tag: "NoSource",
    dataset,
    attempts,
    message:
      `${dataset}: no source could provide the data.` +
      attempts.map((a) => `\n  - ${a.source}: ${a.error.message}`).join("") +
      (attempts.length === 0 ? " (no sources were enabled)" : ""),
  }),
} as const;

/** Thrown by the `…OrThrow` helpers; the typed error is kept in `error`. */
export class DatasetLoadError extends Error {
  override name = "DatasetLoadError";
  constructor(readonly error: DatasetError) {
    super(error.message);
  }
}

/** The message of an unknown thrown value, for `cause` fields. */
export const describeCause = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The `code` of a thrown Node error (`ENOENT`, `ERR_BUFFER_TOO_LARGE`, …), if it has one. */
export const errorCode = (e: unknown): string | undefined =>
  typeof e === "object" && e !== null && "code" in e && typeof e.code === "string" ? e.code : undefined;
