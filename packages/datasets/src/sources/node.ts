/**
 * Node built-ins, loaded lazily: the package must still load in a browser, where only `parseIdx`,
 * the batching helpers and downloads through `fetch` make sense.
 */
import { either as E } from "fp-ts";
import { type DatasetError, type SourceKind, datasetError, describeCause, errorCode } from "../errors.js";

/** The Node modules the file-based sources use. */
export interface NodeApi {
  readonly fs: typeof import("node:fs/promises");
  readonly path: typeof import("node:path");
  readonly os: typeof import("node:os");
  readonly createRequire: typeof import("node:module").createRequire;
}

/**
 * The Node modules, or undefined outside Node. They come from `process.getBuiltinModule` (Node ≥
 * 20.16) rather than `import("node:…")`, which browser bundlers try to resolve and fail on.
 */
export function nodeApi(): Promise<NodeApi | undefined> {
  if (typeof process === "undefined" || typeof process.getBuiltinModule !== "function") return Promise.resolve(undefined);
  return Promise.resolve({
    fs: process.getBuiltinModule("node:fs/promises"),
    path: process.getBuiltinModule("node:path"),
    os: process.getBuiltinModule("node:os"),
    createRequire: process.getBuiltinModule("node:module").createRequire,
  });
}

/** Reads a whole file; a missing file is `NotFound` (so the next source is tried), anything else `ReadFailed`. */
export async function readFileEither(n: NodeApi, source: SourceKind, file: string): Promise<E.Either<DatasetError, Uint8Array>> {
  try {
    const buf = await n.fs.readFile(file);
    return E.right(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
  } catch (e) {
    const code = errorCode(e);
    return E.left(code === "ENOENT" || code === "ENOTDIR" ? datasetError.notFound(source, file) : datasetError.readFailed(file, describeCause(e)));
  }
}

/**
 * The cache root: `$XDG_CACHE_HOME/typegrad` when that variable holds an absolute path (as the XDG
 * spec requires), else `~/.cache/typegrad`.
 */
export function defaultCacheRoot(n: NodeApi): string {
  const xdg = typeof process === "undefined" ? undefined : process.env["XDG_CACHE_HOME"];
  return xdg !== undefined && n.path.isAbsolute(xdg) ? n.path.join(xdg, "typegrad") : n.path.join(n.os.homedir(), ".cache", "typegrad");
}
