// The safetensors format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8 JSON
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}, then the
// tensor bytes (little-endian, row-major); offsets count from the start of that byte buffer.
// Decoding trusts nothing: every length and offset is checked before it is used, and the header
// is parsed by hand (header.ts), depth-limited and in one pass.
import { type DType, Tensor, ValueError } from "@typegrad/core";
import { either as E } from "fp-ts";
import type { CheckpointError } from "./errors.js";
import { type Json, type JsonObject, parseJson } from "./header.js";

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
const BYTES: Record<string, number> = { F32: 4, F64: 8, I32: 4, BOOL: 1, I64: 8 };
/** Dtypes of the format that typegrad cannot hold. I64 is read into i32 when every value fits (PyTorch's num_batches_tracked). */
const KNOWN_UNSUPPORTED = ["F16", "BF16", "F8_E4M3", "F8_E5M2", "I8", "U8", "I16", "U16", "U32", "U64"];

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Encodes tensors (in the given order) and string metadata as safetensors bytes. The header is
 * padded with spaces to a multiple of 8 bytes so that every tensor's data is aligned.
 * @example
 * const bytes = encodeSafetensors({ "0.weight": w, "0.bias": b }, { format: "pt" });
 */
export function encodeSafetensors(tensors: Readonly<Record<string, Tensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  if (!littleEndian) throw new ValueError("safetensors", "a little-endian host for writing", "a big-endian one");
  // A Map keeps names such as "__proto__" as plain keys; the JSON is written from it in order.
  const header = new Map<string, unknown>();
  if (Object.keys(metadata).length) header.set("__metadata__", Object.fromEntries(Object.entries(metadata)));
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new ValueError("safetensors", `tensor names other than "__metadata__"`, `"__metadata__"`);
    const size = t.data.byteLength;
    header.set(name, { dtype: TAG_OF[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + size] });
    offset += size;
  }
  const text = `{${[...header].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
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

interface Entry {
  readonly name: string;
  readonly tag: string;
  readonly shape: number[];
  readonly begin: number;
  readonly end: number;
}

const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

const ENTRY_KEYS = ["dtype", "shape", "data_offsets"];

function parseEntry(name: string, v: Json | undefined): E.Either<CheckpointError, Entry> {
  const bad = (message: string): E.Either<CheckpointError, Entry> => E.left({ kind: "bad-entry", name, message: `tensor "${name}": ${message}` });
  if (!(v instanceof Map)) return bad("expected an object {dtype, shape, data_offsets}");
  const [dtype, shape, offsets] = ENTRY_KEYS.map((k) => v.get(k));
  if (typeof dtype !== "string") return bad("missing dtype");
  if (KNOWN_UNSUPPORTED.includes(dtype)) return bad(`dtype ${dtype} is not supported (typegrad reads F32, F64, I32, BOOL and I64 that fits in I32)`);
  if (!Object.hasOwn(BYTES, dtype)) return bad(`unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isIndex)) return bad(`shape must be an array of non-negative integers, got ${show(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || (offsets[0] as number) > (offsets[1] as number))
    return bad(`data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${show(offsets)}`);
  const [begin, end] = offsets as [number, number];
  const expected = shape.reduce((a: number, b: number) => a * b, 1) * (BYTES[dtype] as number);
  if (!Number.isSafeInteger(expected)) return bad(`${dtype}[${shape.join(",")}] is too large to address`);
  if (end - begin !== expected) return bad(`${dtype}[${shape.join(",")}] needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  return E.right({ name, tag: dtype, shape, begin, end });
}

/** Checks that the entries tile the byte buffer exactly: in range, no overlap, no gap. */
function checkLayout(entries: readonly Entry[], bufferLength: number): E.Either<CheckpointError, void> {
  const beyond = entries.find((e) => e.end > bufferLength);
  if (beyond)
    return E.left({
      kind: "truncated",
      message: `tensor "${beyond.name}" ends at byte ${beyond.end} of the data, but the file holds only ${bufferLength} data bytes (truncated or out-of-range offsets)`,
    });
  const order = (a: Entry, b: Entry): number => a.begin - b.begin || a.end - b.end;
  const sorted = entries.every((e, i) => i === 0 || order(entries[i - 1] as Entry, e) <= 0) ? entries : [...entries].sort(order);
  let prev: Entry | undefined;
  let at = 0;
  for (const e of sorted) {
    if (e.begin < at && prev)
      return E.left({ kind: "offsets", names: [prev.name, e.name], message: `tensors "${prev.name}" [${prev.begin}, ${prev.end}) and "${e.name}" [${e.begin}, ${e.end}) overlap` });
    if (e.begin > at) return E.left({ kind: "offsets", names: [e.name], message: `bytes [${at}, ${e.begin}) before tensor "${e.name}" belong to no tensor` });
    at = e.end;
    prev = e;
  }
  if (at !== bufferLength) return E.left({ kind: "offsets", names: [], message: `${bufferLength - at} trailing bytes after the last tensor belong to no tensor` });
  return E.right(undefined);
}

/** A short rendering of a parsed value for messages (never the whole of a hostile one). */
function show(v: Json | undefined): string {
  if (v instanceof Map) return "an object";
  const text = JSON.stringify(v) ?? "nothing";
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

/** The tensor of an entry: a view of `data` (one copy of the file's data, made once) where aligned, else a copy. */
function toTensor(e: Entry, data: Uint8Array): E.Either<CheckpointError, Tensor> {
  if (e.tag === "I64") {
    const view = new DataView(data.buffer, data.byteOffset + e.begin, e.end - e.begin);
    const out = new Int32Array((e.end - e.begin) / 8);
    for (let i = 0; i < out.length; i++) {
      const v = view.getBigInt64(i * 8, true);
      if (v < -(2n ** 31n) || v >= 2n ** 31n) return E.left({ kind: "bad-entry", name: e.name, message: `tensor "${e.name}": I64 value ${v} does not fit in i32` });
      out[i] = Number(v);
    }
    return E.right(new Tensor(e.shape, "i32", out));
  }
  const dtype = FILE_DTYPES[e.tag as keyof typeof FILE_DTYPES];
  if (!littleEndian) return E.left({ kind: "bad-entry", name: e.name, message: "reading needs a little-endian host" });
  const width = BYTES[e.tag] as number;
  const aligned = (data.byteOffset + e.begin) % width === 0;
  const [buffer, at] = aligned ? [data.buffer, data.byteOffset + e.begin] : [data.slice(e.begin, e.end).buffer, 0];
  const n = (e.end - e.begin) / width;
  const array =
    dtype === "f32" ? new Float32Array(buffer, at, n) : dtype === "f64" ? new Float64Array(buffer, at, n) : dtype === "i32" ? new Int32Array(buffer, at, n) : new Uint8Array(buffer, at, n);
  return E.right(new Tensor(e.shape, dtype, array));
}

/** The header's JSON, or why it is not a valid safetensors header. */
function parseHeader(bytes: Uint8Array): E.Either<CheckpointError, JsonObject> {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return E.left({ kind: "bad-header", message: "the header starts with a UTF-8 byte-order mark, which the format does not allow" });
  let header: Json;
  try {
    header = parseJson(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch (e) {
    return E.left({ kind: "bad-header", message: `the header is not valid UTF-8 JSON of the format: ${(e as Error).message}` });
  }
  if (!(header instanceof Map)) return E.left({ kind: "bad-header", message: "the header must be a JSON object" });
  return E.right(header);
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
  const parsed = parseHeader(bytes.subarray(8, 8 + headerLength));
  if (E.isLeft(parsed)) return parsed;
  const header = parsed.right;
  const meta = header.get("__metadata__") ?? new Map<string, Json>();
  if (!(meta instanceof Map) || ![...meta.values()].every((v) => typeof v === "string"))
    return E.left({ kind: "bad-header", message: `"__metadata__" must map strings to strings` });
  const entries: Entry[] = [];
  for (const [name, v] of header) {
    if (name === "__metadata__") continue;
    const e = parseEntry(name, v);
    if (E.isLeft(e)) return e;
    entries.push(e.right);
  }
  const data = bytes.slice(8 + headerLength);
  const layout = checkLayout(entries, data.length);
  if (E.isLeft(layout)) return layout;
  // Null-prototype records: a tensor named "__proto__" or "constructor" is an entry like any other.
  const tensors: Record<string, Tensor> = Object.create(null);
  for (const e of entries) {
    const t = toTensor(e, data);
    if (E.isLeft(t)) return t;
    tensors[e.name] = t.right;
  }
  const metadata: Record<string, string> = Object.create(null);
  for (const [k, v] of meta) metadata[k] = v as string;
  return E.right({ tensors, metadata });
}
