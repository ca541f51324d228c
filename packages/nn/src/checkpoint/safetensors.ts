// The safetensors format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the
// tensor bytes (little-endian, row-major); offsets count from the start of that byte buffer.
// Decoding trusts nothing: every length and offset is checked before it is used, and the header
// is parsed by hand (header.ts), depth-limited and in one pass.
import { type DType, Tensor, ValueError } from "@typegrad/core";
import { either as E } from "fp-ts";
import type { CheckpointError } from "./errors.js";
import { BYTES, type Entries, type Header, parseHeader } from "./header.js";

/** The decoded contents of a safetensors file. */
export interface Safetensors {
  /** Tensors by name, in header order. */
  readonly tensors: Readonly<Record<string, Tensor>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The largest header accepted (as the reference implementation: 100 MB). */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const FILE_DTYPES = { F32: "f32", F64: "f64", I32: "i32", BOOL: "bool" } as const satisfies Record<string, DType>;
const TAG_OF: { [D in DType]: keyof typeof FILE_DTYPES } = { f32: "F32", f64: "F64", i32: "I32", bool: "BOOL" };

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Encodes tensors (in the given order) and string metadata as safetensors bytes. The header is
 * padded with spaces to a multiple of 8 bytes so that every tensor's data is aligned.
 * @example
 * const bytes = encodeSafetensors({ "0.weight": w, "0.bias": b }, { format: "pt" });
 */
export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  if (!littleEndian) throw new ValueError("safetensors", "a little-endian host for writing", "a big-endian one");
  // Written field by field, in order: names such as "__proto__" are JSON strings like any other.
  const fields = Object.keys(metadata).length ? [`"__metadata__":${JSON.stringify(Object.fromEntries(Object.entries(metadata)))}`] : [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new ValueError("safetensors", `tensor names other than "__metadata__"`, `"__metadata__"`);
    const size = t.data.byteLength;
    fields.push(`${JSON.stringify(name)}:{"dtype":"${TAG_OF[t.dtype]}","shape":[${t.shape.join(",")}],"data_offsets":[${offset},${offset + size}]}`);
    offset += size;
  }
  const text = `{${fields.join(",")}}`;
  const json = new TextEncoder().encode(text);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + padded);
  let at = 8 + padded;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Checks that the entries tile the byte buffer exactly: in range, no overlap, no gap. */
function checkLayout({ names, begins, ends }: Entries, bufferLength: number): E.Either<CheckpointError, void> {
  const beyond = ends.findIndex((end) => end > bufferLength);
  if (beyond >= 0)
    return E.left({
      kind: "truncated",
      message: `tensor "${names[beyond]}" ends at byte ${ends[beyond]} of the data, but the file holds only ${bufferLength} data bytes (truncated or out-of-range offsets)`,
    });
  // Entries by position in the data: header order when that is already sorted (as written), else sorted.
  const order = (i: number, j: number): number => (begins[i] as number) - (begins[j] as number) || (ends[i] as number) - (ends[j] as number);
  const byPosition = Uint32Array.from(names, (_, i) => i);
  if (!byPosition.every((i) => i === 0 || order(i - 1, i) <= 0)) byPosition.sort(order);
  const span = (i: number): string => `"${names[i]}" [${begins[i]}, ${ends[i]})`;
  let at = 0;
  for (let k = 0; k < byPosition.length; k++) {
    const [e, p] = [byPosition[k] as number, byPosition[k - 1] as number];
    const begin = begins[e] as number;
    if (begin < at) return E.left({ kind: "offsets", names: [names[p] as string, names[e] as string], message: `tensors ${span(p)} and ${span(e)} overlap` });
    if (begin > at) return E.left({ kind: "offsets", names: [names[e] as string], message: `bytes [${at}, ${begin}) before tensor "${names[e]}" belong to no tensor` });
    at = ends[e] as number;
  }
  if (at !== bufferLength) return E.left({ kind: "offsets", names: [], message: `${bufferLength - at} trailing bytes after the last tensor belong to no tensor` });
  return E.right(undefined);
}

/** Tensor `i` of the entries: a view of `data` (one copy of the file's data, made once) where aligned, else a copy. */
function toTensor({ names, tags, shapes, begins, ends }: Entries, i: number, data: Uint8Array): Tensor | CheckpointError {
  const [tag, shape, begin, end] = [tags[i] as string, shapes[i] as number[], begins[i] as number, ends[i] as number];
  if (tag === "I64") {
    const view = new DataView(data.buffer, data.byteOffset + begin, end - begin);
    const out = new Int32Array((end - begin) / 8);
    for (let k = 0; k < out.length; k++) {
      const v = view.getBigInt64(k * 8, true);
      if (v < -(2n ** 31n) || v >= 2n ** 31n) return { kind: "bad-entry", name: names[i] as string, message: `tensor "${names[i]}": I64 value ${v} does not fit in i32` };
      out[k] = Number(v);
    }
    return new Tensor(shape, "i32", out);
  }
  const dtype = FILE_DTYPES[tag as keyof typeof FILE_DTYPES];
  const width = BYTES[tag] as number;
  const aligned = (data.byteOffset + begin) % width === 0;
  const [buffer, at] = aligned ? [data.buffer, data.byteOffset + begin] : [data.slice(begin, end).buffer, 0];
  const n = (end - begin) / width;
  const array =
    dtype === "f32" ? new Float32Array(buffer, at, n) : dtype === "f64" ? new Float64Array(buffer, at, n) : dtype === "i32" ? new Int32Array(buffer, at, n) : new Uint8Array(buffer, at, n);
  return new Tensor(shape, dtype, array);
}

/** The header's entries and metadata, or why it is not a valid safetensors header. */
function decodeHeader(bytes: Uint8Array): E.Either<CheckpointError, Header> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return E.left({ kind: "bad-header", message: "the header starts with a UTF-8 byte-order mark, which the format does not allow" });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (e) {
    return E.left({ kind: "bad-header", message: `the header is not valid UTF-8 JSON of the format: ${(e as Error).message}` });
  }
  return parseHeader(text);
}

/**
 * Decodes safetensors bytes, validating the header length, the JSON (depth-limited, no duplicate
 * keys, no byte-order mark), every entry (dtype, shape, byte count) and the layout (offsets in
 * range, no overlap, no gap). Tensors are views of one copy of the file's data. Time and memory
 * are linear in the file's size.
 * @example
 * const r = decodeSafetensors(bytes);   // Either<CheckpointError, Safetensors>
 */
export function decodeSafetensors(bytes: Uint8Array): E.Either<CheckpointError, Safetensors> {
  if (bytes.length < 8) return E.left({ kind: "truncated", message: `the file has ${bytes.length} bytes, fewer than the 8-byte header length` });
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) return E.left({ kind: "header-length", message: `header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)` });
  const headerLength = Number(n);
  if (8 + headerLength > bytes.length)
    return E.left({ kind: "header-length", message: `header length ${headerLength} reaches beyond the end of the ${bytes.length}-byte file (truncated?)` });
  const header = decodeHeader(bytes.subarray(8, 8 + headerLength));
  if (E.isLeft(header)) return header;
  const { entries } = header.right;
  if (!littleEndian && entries.names.length) return E.left({ kind: "bad-entry", name: entries.names[0] as string, message: "reading needs a little-endian host" });
  const data = bytes.slice(8 + headerLength);
  const layout = checkLayout(entries, data.length);
  if (E.isLeft(layout)) return layout;
  // Null-prototype records: a tensor named "__proto__" or "constructor" is an entry like any other.
  const tensors: Record<string, Tensor> = Object.create(null);
  for (let i = 0; i < entries.names.length; i++) {
    const t = toTensor(entries, i, data);
    if (!(t instanceof Tensor)) return E.left(t);
    tensors[entries.names[i] as string] = t;
  }
  const metadata: Record<string, string> = Object.create(null);
  for (const [k, v] of header.right.metadata) metadata[k] = v;
  return E.right({ tensors, metadata });
}
