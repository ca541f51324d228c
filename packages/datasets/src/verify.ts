/** Checksums, via WebCrypto so that verification works in Node and browsers alike. */
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "./errors.js";
import { isGzip, maxInflatedSize, zlibAsync } from "./gzip.js";
import type { IdxFileSpec } from "./spec.js";

/** Lower-case hex SHA-256 of `bytes`. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  // digest() wants an ArrayBuffer-backed view; copying only when handed shared memory.
  const input = bytes.buffer instanceof ArrayBuffer ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : new Uint8Array(bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", input));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function inflate(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  if (!isGzip(bytes)) return bytes;
  const zlib = await zlibAsync();
  if (zlib === undefined) return undefined;
  try {
    return zlib.gunzipSync(bytes, { maxOutputLength: Math.min(maxInflatedSize(bytes.length), 2 ** 31 - 1) });
  } catch {
    return undefined;
  }
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
      const raw = await inflate(bytes);
      if (raw !== undefined && (await sha256Hex(raw)) === spec.rawSha256) return E.right(raw);
    }
    return E.left(datasetError.checksum({ file: spec.name, expected: spec.sha256, actual, from }));
  } catch (e) {
    return E.left(datasetError.readFailed(from, `cannot compute SHA-256: ${describeCause(e)}`));
  }
}
