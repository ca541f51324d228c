/**
 * gzip support without a static dependency on Node: the package must load in browsers, where
 * `node:zlib` does not exist. Node ≥ 20.16 hands out built-in modules synchronously through
 * `process.getBuiltinModule`, which keeps `parseIdx` synchronous; elsewhere the asynchronous path
 * uses a lazy `import("node:zlib")` or the web's `DecompressionStream`.
 */

/** The parts of `node:zlib` we use, so that the type does not depend on where it came from. */
export interface ZlibLike {
  gunzipSync(data: Uint8Array, options?: { maxOutputLength?: number; finishFlush?: number; chunkSize?: number }): Uint8Array;
  constants: { Z_SYNC_FLUSH: number };
}

/** True when `bytes` starts with the gzip magic number (1f 8b). */
export const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;

/**
 * Deflate cannot expand data by more than 1032:1 (a run of 258 bytes costs at least two bits), so
 * an output longer than this is impossible for an honest stream; it bounds every allocation.
 */
export const maxInflatedSize = (compressedBytes: number): number => compressedBytes * 1032 + 1024;

type GetBuiltin = (id: string) => unknown;

function isZlib(m: unknown): m is ZlibLike {
  return typeof m === "object" && m !== null && "gunzipSync" in m && typeof m.gunzipSync === "function" && "constants" in m;
}

/** `node:zlib` if it can be had synchronously in this runtime, else undefined. */
export function zlibSync(): ZlibLike | undefined {
  const proc: unknown = typeof process === "undefined" ? undefined : process;
  if (typeof proc !== "object" || proc === null || !("getBuiltinModule" in proc)) return undefined;
  const get = proc.getBuiltinModule;
  if (typeof get !== "function") return undefined;
  try {
    const m = (get as GetBuiltin).call(proc, "node:zlib");
    return isZlib(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** `node:zlib` loaded lazily (older Node, or bundlers that hide `getBuiltinModule`), or undefined. */
export async function zlibAsync(): Promise<ZlibLike | undefined> {
  const sync = zlibSync();
  if (sync) return sync;
  // Only Node has node:zlib; a browser would report the failed module fetch on its console.
  if (typeof process === "undefined" || typeof process.versions?.node !== "string") return undefined;
  try {
    // A variable specifier keeps browser bundlers from trying to resolve node:zlib.
    const id = "node:zlib";
    const m: unknown = await import(/* @vite-ignore */ id);
    return isZlib(m) ? m : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inflates `bytes` with the web `DecompressionStream`, stopping as soon as the output would exceed
 * `limit` bytes. Returns the output, or a string describing why it failed.
 */
export async function gunzipWeb(bytes: Uint8Array, limit: number): Promise<Uint8Array | string> {
  if (typeof DecompressionStream === "undefined") return "no gzip decoder in this runtime";
  try {
    const input = new Blob([new Uint8Array(bytes)]).stream();
    const reader = input.pipeThrough(new DecompressionStream("gzip")).getReader();
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) {
        await reader.cancel();
        return `inflates to more than ${limit} bytes`;
      }
      chunks.push(value);
    }
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}
