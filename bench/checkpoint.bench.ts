// Decoding a large safetensors header: N one-element f32 tensors, so the time is the header's
// (parsing and validating N entries), not the data's. Reports µs per entry and the projected time
// for a header at the 100 MB cap. Synthetic data, so nothing is read from disk.
import { MAX_HEADER_BYTES, decodeSafetensors } from "@typegrad/nn";
import { either as E } from "fp-ts";

/** A safetensors file of `n` scalar-sized f32 tensors named `layers.<i>.weight`. */
export function manyEntries(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`"layers.${i}.weight":{"dtype":"F32","shape":[1],"data_offsets":[${4 * i},${4 * i + 4}]}`);
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const out = new Uint8Array(8 + json.length + 4 * n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}

/** Runs the header benchmark and returns report lines. */
export async function benchSafetensorsHeader(n = 1_000_000): Promise<string[]> {
  const bytes = manyEntries(n);
  const headerBytes = bytes.length - 8 - 4 * n;
  const times: number[] = [];
  for (let r = 0; r < 3; r++) {
    globalThis.gc?.();
    const t0 = performance.now();
    const decoded = decodeSafetensors(bytes);
    times.push(performance.now() - t0);
    if (E.isLeft(decoded) || Object.keys(decoded.right.tensors).length !== n) throw new Error("safetensors bench: the file did not decode");
  }
  const best = Math.min(...times);
  const perEntry = (best * 1000) / n;
  const atCap = (best / headerBytes) * MAX_HEADER_BYTES / 1000;
  return [
    `safetensors header, ${n.toLocaleString("en")} entries (${(headerBytes / 1e6).toFixed(1)} MB): decoded in ${(best / 1000).toFixed(2)} s, ${perEntry.toFixed(2)} µs/entry; a header at the ${MAX_HEADER_BYTES / 2 ** 20} MiB cap ≈ ${atCap.toFixed(1)} s`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) console.log((await benchSafetensorsHeader(Number(process.argv[2] ?? 1_000_000))).join("\n"));
