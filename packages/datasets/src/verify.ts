/** Checksums, via WebCrypto so that verification works in Node and browsers alike. */
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "./errors.js";
import { inflateIdxFile } from "./idx.js";
import type { IdxFileSpec } from "./spec.js";

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // digest() wants an ArrayBuffer-backed view; copying only when handed shared memory.
  const input = bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Accepts `bytes` if they are the official gzip file, or (when `rawSha256` is known) if they
 * inflate to the official content. Returns the bytes to parse: the inflated content when it had to
 * be computed, so that it is not inflated twice.
 */
export async function verifyFile(spec: IdxFileSpec, bytes: Uint8Array, from: string): Promise<E.Either<DatasetError, Uint8Array>> {
  try {
    const actual = await sha256Hex(bytes);
    if (actual === spec.sha256) return E.right(bytes);
    if (spec.rawSha256 !== undefined) {
      const raw = await inflateIdxFile(bytes, { name: spec.name });
      if (E.isRight(raw) && (await sha256Hex(raw.right)) === spec.rawSha256) return E.right(raw.right);
    }
    return E.left(datasetError.checksum({ file: spec.name, expected: spec.sha256, actual, from }));
  } catch (e) {
    return E.left(datasetError.readFailed(from, `cannot compute SHA-256: ${describeCause(e)}`));
  }
}
