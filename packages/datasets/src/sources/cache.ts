/** The on-disk cache: `<root>/<dataset id>/<official file name>`, written atomically. */
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "../errors.js";
import type { DatasetFiles } from "../spec.js";
import { type FileBytes, readDir } from "./dir.js";
import type { NodeApi } from "./node.js";

/** The cache directory of one dataset. */
export const cacheDirOf = (n: NodeApi, root: string, datasetId: string): string => n.path.join(root, datasetId);

/**
 * Reads the dataset from the cache. A file that fails verification is deleted (it can only be a
 * damaged copy, and leaving it would fail every later run) before the error is returned.
 */
export async function readCache(n: NodeApi, root: string, datasetId: string, files: DatasetFiles, verify: boolean): Promise<E.Either<DatasetError, FileBytes>> {
  const dir = cacheDirOf(n, root, datasetId);
  const r = await readDir(n, "cache", dir, files, verify);
  if (E.isLeft(r) && (r.left._tag === "ChecksumMismatch" || r.left._tag === "InvalidIdx"))
    await n.fs.rm(n.path.join(dir, r.left.file), { force: true }).catch(() => undefined);
  return r;
}

/**
 * Writes one verified file into the cache: a temporary file in the same directory, then a rename,
 * so that a crash or a concurrent reader never sees a partial file.
 */
export async function writeCache(n: NodeApi, root: string, datasetId: string, name: string, bytes: Uint8Array): Promise<E.Either<DatasetError, string>> {
  const dir = cacheDirOf(n, root, datasetId);
  const target = n.path.join(dir, name);
  const temp = `${target}.${typeof process === "undefined" ? 0 : process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await n.fs.mkdir(dir, { recursive: true });
    await n.fs.writeFile(temp, bytes);
    await n.fs.rename(temp, target);
    return E.right(target);
  } catch (e) {
    await n.fs.rm(temp, { force: true }).catch(() => undefined);
    return E.left(datasetError.writeFailed(target, describeCause(e)));
  }
}
