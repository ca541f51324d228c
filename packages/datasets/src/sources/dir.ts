/** Reading the four files from a directory: an explicit one, the cache, or a system package's. */
import { either as E } from "fp-ts";
import type { DatasetError, SourceKind } from "../errors.js";
import type { DatasetFiles, IdxFileSpec } from "../spec.js";
import { verifyFile } from "../verify.js";
import { type NodeApi, readFileEither } from "./node.js";

/** The keys of the four files, in the order they are read. */
export const FILE_KEYS = ["trainImages", "trainLabels", "testImages", "testLabels"] as const;
/** One of the four files. */
export type FileKey = (typeof FILE_KEYS)[number];
/** The bytes of the four files (gzip or plain IDX). */
export type FileBytes = Record<FileKey, Uint8Array>;

/**
 * Reads one file from `dir`, as `name` or, without its `.gz` suffix, uncompressed. Verifies it
 * unless `verify` is false.
 */
export async function readOne(n: NodeApi, kind: SourceKind, dir: string, spec: IdxFileSpec, verify: boolean): Promise<E.Either<DatasetError, Uint8Array>> {
  const names = spec.name.endsWith(".gz") ? [spec.name, spec.name.slice(0, -3)] : [spec.name];
  let first: E.Either<DatasetError, Uint8Array> | undefined;
  for (const name of names) {
    const path = n.path.join(dir, name);
    const read = await readFileEither(n, kind, path);
    first ??= read;
    if (E.isLeft(read)) {
      if (read.left._tag === "NotFound") continue;
      return read;
    }
    return verify ? verifyFile(spec, read.right, path) : read;
  }
  return first ?? E.left({ _tag: "NotFound", source: kind, path: dir, message: `${dir}: not found (${kind})` });
}

/** Reads and verifies all four files from `dir`; the first failure is returned. */
export async function readDir(n: NodeApi, kind: SourceKind, dir: string, files: DatasetFiles, verify: boolean): Promise<E.Either<DatasetError, FileBytes>> {
  const out: Partial<FileBytes> = {};
  for (const key of FILE_KEYS) {
    const r = await readOne(n, kind, dir, files[key], verify);
    if (E.isLeft(r)) return r;
    out[key] = r.right;
  }
  const { trainImages, trainLabels, testImages, testLabels } = out;
  // All four were assigned in the loop above; the check only satisfies the compiler.
  if (!trainImages || !trainLabels || !testImages || !testLabels) return E.left({ _tag: "NotFound", source: kind, path: dir, message: `${dir}: incomplete` });
  return E.right({ trainImages, trainLabels, testImages, testLabels });
}
