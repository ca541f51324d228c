// File IO for checkpoints: atomic writes (temporary file, fsync, rename, fsync of the directory)
// so that a crash leaves either the old checkpoint or the new one, never a torn file.
import { type Tensor, ValueError } from "@typegrad/core";
import { either as E, taskEither as TE } from "fp-ts";
import type { CheckpointError } from "./errors.js";
import { CheckpointLoadError } from "./errors.js";
import { type Safetensors, decodeSafetensors, encodeSafetensors } from "./safetensors.js";

/**
 * Node's file system, looked up when a file is touched: `process.getBuiltinModule` keeps browser
 * bundlers from trying to resolve `node:` imports, so the package loads in a browser, where
 * `encodeSafetensors`/`decodeSafetensors` work on bytes.
 */
function nodeFiles(): { fs: typeof import("node:fs/promises"); path: typeof import("node:path") } {
  if (typeof process === "undefined" || typeof process.getBuiltinModule !== "function")
    throw new ValueError("checkpoint", "Node's file system", "none", "in a browser, use encodeSafetensors/decodeSafetensors on bytes");
  return { fs: process.getBuiltinModule("node:fs/promises"), path: process.getBuiltinModule("node:path") };
}

const ioError =
  (path: string) =>
  (e: unknown): CheckpointError => ({ kind: "io", path, message: `${path}: ${(e as Error).message}` });

/** Whether process `pid` exists (ours counts: its other saves may be in flight). */
function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/**
 * Removes the temporary files that earlier saves of the same target left when their process was
 * killed: `.<name>.<pid>.<stamp>.tmp` whose process no longer exists.
 */
async function removeStale(fs: typeof import("node:fs/promises"), dir: string, base: string, join: (...parts: string[]) => string): Promise<void> {
  const prefix = `.${base}.`;
  for (const name of await fs.readdir(dir).catch(() => [])) {
    if (!name.startsWith(prefix)) continue;
    const m = /^(\d+)\.[0-9a-z]+\.tmp$/.exec(name.slice(prefix.length));
    if (m !== null && !alive(Number(m[1]))) await fs.unlink(join(dir, name)).catch(() => undefined);
  }
}

/**
 * Writes `bytes` to `path` atomically: into a temporary file in the same directory, flushed to
 * disk, then renamed over `path` (and the directory flushed, where the platform allows it). After
 * a successful save, temporary files of the same target left by killed processes are removed.
 * @example
 * await writeFileAtomic("model.safetensors", bytes)();
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): TE.TaskEither<CheckpointError, void> {
  return TE.tryCatch(async () => {
    const { fs, path: paths } = nodeFiles();
    const { open, rename, unlink } = fs;
    const { basename, dirname, join } = paths;
    const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
    try {
      const file = await open(tmp, "wx");
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => undefined);
      throw e;
    }
    // Persist the rename itself; some platforms cannot open or sync a directory, which is harmless.
    const dir = await open(dirname(path), "r").catch(() => undefined);
    if (dir) await dir.sync().catch(() => undefined).finally(() => dir.close());
    await removeStale(fs, dirname(path), basename(path), join);
  }, ioError(path));
}

/**
 * Saves tensors (a flat state_dict) and metadata as a safetensors file, atomically.
 * @example
 * await saveSafetensors("model.safetensors", stateDict(params), { format: "pt" })();
 */
export function saveSafetensors(path: string, tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): TE.TaskEither<CheckpointError, void> {
  return writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/**
 * Reads and validates a safetensors file.
 * @example
 * const r = await loadSafetensors("model.safetensors")();   // Either<CheckpointError, Safetensors>
 */
export function loadSafetensors(path: string): TE.TaskEither<CheckpointError, Safetensors> {
  return TE.chainEitherK(decodeSafetensors)(TE.tryCatch(async () => new Uint8Array(await nodeFiles().fs.readFile(path)), ioError(path)));
}

/** Runs a TaskEither and throws a CheckpointLoadError on failure (for scripts). */
export async function orThrow<A>(task: TE.TaskEither<CheckpointError, A>): Promise<A> {
  const r = await task();
  if (E.isLeft(r)) throw new CheckpointLoadError(r.left);
  return r.right;
}
