/**
 * The IDX format (LeCun's MNIST files): two zero bytes, an element-type code, the rank, then one
 * big-endian u32 per dimension, then the elements row-major and big-endian.
 *
 * The parser never trusts the header: sizes are checked against the bytes actually present before
 * anything is allocated, so a lying or corrupt header costs at most a copy of the input.
 */
import { ValueError, sizeOf } from "@typegrad/core";
import { either as E } from "fp-ts";
import { type IdxError, errorCode } from "./errors.js";
import { type ZlibLike, gunzipWeb, isGzip, maxInflatedSize, zlibAsync, zlibSync } from "./gzip.js";

/** Typed arrays for each IDX element type. */
export interface IdxArrays {
  u8: Uint8Array;
  i8: Int8Array;
  i16: Int16Array;
  i32: Int32Array;
  f32: Float32Array;
  f64: Float64Array;
}

/** IDX element types: unsigned/signed bytes, big-endian 16/32-bit integers and 32/64-bit floats. */
export type IdxDType = keyof IdxArrays;

/** A decoded IDX file of element type `D`: its shape (one entry per dimension) and row-major data. */
export interface IdxArrayOf<D extends IdxDType> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: IdxArrays[D];
}

/** A decoded IDX file of any element type; switch on `dtype` to narrow `data`. */
export type IdxArray = { [D in IdxDType]: IdxArrayOf<D> }[IdxDType];

/** Options of `parseIdx`. */
export interface ParseIdxOptions {
  /** Used in error messages, e.g. the file name. Default "IDX data". */
  readonly name?: string;
  /** Largest data size (bytes) a header may declare; bigger is a `DimensionOverflow`. Default 2³¹ − 1. */
  readonly maxBytes?: number;
}

const CODES: Readonly<Record<number, IdxDType>> = { 0x08: "u8", 0x09: "i8", 0x0b: "i16", 0x0c: "i32", 0x0d: "f32", 0x0e: "f64" };
const TYPE_CODE: Readonly<Record<IdxDType, number>> = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e };
const ELEMENT_BYTES: Readonly<Record<IdxDType, number>> = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 };
const DEFAULT_MAX_BYTES = 2 ** 31 - 1;

interface Header {
  readonly dtype: IdxDType;
  readonly shape: readonly number[];
  readonly headerBytes: number;
  readonly dataBytes: number;
}

const hex = (bytes: ArrayLike<number>): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(" ");
const describe = (h: Header): string => `${h.shape.join("×") || "scalar"} ${h.dtype}`;

function readHeader(bytes: Uint8Array, name: string, maxBytes: number): E.Either<IdxError, Header> {
  const b0 = bytes[0];
  const b1 = bytes[1];
  const code = bytes[2];
  if ((b0 !== undefined && b0 !== 0) || (b1 !== undefined && b1 !== 0)) {
    const magic = Array.from(bytes.subarray(0, 4));
    return E.left({ _tag: "BadMagic", magic, message: `${name}: not an IDX file: starts with ${hex(magic)}, expected 00 00 <type> <rank>` });
  }
  if (code !== undefined && CODES[code] === undefined)
    return E.left({
      _tag: "UnknownDType",
      code,
      message: `${name}: unknown IDX element type 0x${code.toString(16).padStart(2, "0")} (known: 08 u8, 09 i8, 0b i16, 0c i32, 0d f32, 0e f64)`,
    });
  const rank = bytes[3];
  if (code === undefined || rank === undefined)
    return E.left({ _tag: "Truncated", needed: 4, got: bytes.length, message: `${name}: truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic` });
  const dtype = CODES[code] ?? "u8";
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes)
    return E.left({
      _tag: "Truncated",
      needed: headerBytes,
      got: bytes.length,
      message: `${name}: truncated: a rank-${rank} header needs ${headerBytes} bytes, the file has ${bytes.length}`,
    });
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) shape.push(view.getUint32(4 + 4 * i, false));
  // A float product: it may become huge or Infinity, which the bound below rejects; a zero
  // dimension makes the whole array empty, however large the others are.
  let dataBytes = shape.includes(0) ? 0 : shape.reduce((a, d) => a * d, ELEMENT_BYTES[dtype]);
  if (dataBytes > maxBytes) {
    dataBytes = Number.isFinite(dataBytes) ? dataBytes : Number.MAX_VALUE;
    return E.left({
      _tag: "DimensionOverflow",
      dims: shape,
      message: `${name}: header declares ${shape.join("×")} ${dtype} = ${dataBytes.toPrecision(4)} bytes, more than the ${maxBytes}-byte limit`,
    });
  }
  return E.right({ dtype, shape, headerBytes, dataBytes });
}

function decodeBody(bytes: Uint8Array, h: Header, name: string): E.Either<IdxError, IdxArray> {
  const present = bytes.length - h.headerBytes;
  if (present < h.dataBytes)
    return E.left({
      _tag: "Truncated",
      needed: h.headerBytes + h.dataBytes,
      got: bytes.length,
      message: `${name}: truncated: header says ${describe(h)} (${h.dataBytes} bytes of data), the file has ${present}`,
    });
  if (present > h.dataBytes)
    return E.left({
      _tag: "SizeMismatch",
      expectedBytes: h.dataBytes,
      actualBytes: present,
      message: `${name}: header says ${describe(h)} (${h.dataBytes} bytes of data), the file has ${present}: ${present - h.dataBytes} bytes too many`,
    });
  const n = h.dataBytes / ELEMENT_BYTES[h.dtype];
  const offset = bytes.byteOffset + h.headerBytes;
  const shape = h.shape;
  // Bytes need no swapping, so they stay views of the input; wider types are copied out through a
  // DataView because the file is big-endian and the data may be unaligned.
  const view = new DataView(bytes.buffer, offset, h.dataBytes);
  switch (h.dtype) {
    case "u8":
      return E.right({ dtype: "u8", shape, data: new Uint8Array(bytes.buffer, offset, n) });
    case "i8":
      return E.right({ dtype: "i8", shape, data: new Int8Array(bytes.buffer, offset, n) });
    case "i16": {
      const data = new Int16Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt16(2 * i, false);
      return E.right({ dtype: "i16", shape, data });
    }
    case "i32": {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, false);
      return E.right({ dtype: "i32", shape, data });
    }
    case "f32": {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, false);
      return E.right({ dtype: "f32", shape, data });
    }
    case "f64": {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, false);
      return E.right({ dtype: "f64", shape, data });
    }
  }
}

const parseRaw = (bytes: Uint8Array, name: string, maxBytes: number): E.Either<IdxError, IdxArray> => {
  const h = readHeader(bytes, name, maxBytes);
  return E.isLeft(h) ? h : decodeBody(bytes, h.right, name);
};

const gzipCorrupt = (name: string, reason: string): IdxError => ({ _tag: "GzipCorrupt", reason, message: `${name}: corrupt gzip data: ${reason}` });

/**
 * Inflates in two steps so that the output buffer is bounded by what the header declares: first a
 * prefix (enough for the header), then the whole stream capped at header + data + 1 byte, the extra
 * byte revealing trailing data without inflating it all. Returns the inflated file and its header.
 */
function inflateIdx(bytes: Uint8Array, name: string, maxBytes: number, zlib: ZlibLike): E.Either<IdxError, { out: Uint8Array; header: Header }> {
  let header: Header | undefined;
  for (const size of [1024, 65536, bytes.length]) {
    const len = Math.min(size, bytes.length);
    let prefix: Uint8Array;
    try {
      prefix = zlib.gunzipSync(bytes.subarray(0, len), {
        finishFlush: zlib.constants.Z_SYNC_FLUSH,
        maxOutputLength: Math.min(maxInflatedSize(len), DEFAULT_MAX_BYTES),
      });
    } catch (e) {
      if (len === bytes.length) return E.left(gzipCorrupt(name, e instanceof Error ? e.message : String(e)));
      continue;
    }
    const h = readHeader(prefix, name, maxBytes);
    if (E.isRight(h)) {
      header = h.right;
      break;
    }
    if (h.left._tag !== "Truncated" || len === bytes.length) return h;
  }
  if (header === undefined) return E.left(gzipCorrupt(name, "no IDX header could be inflated"));
  const total = header.headerBytes + header.dataBytes;
  if (total > maxInflatedSize(bytes.length))
    return E.left({
      _tag: "Truncated",
      needed: total,
      got: maxInflatedSize(bytes.length),
      message: `${name}: truncated: header says ${describe(header)} (${header.dataBytes} bytes of data), more than ${bytes.length} bytes of gzip can hold`,
    });
  try {
    // One output chunk of the declared size (already bounded above) saves zlib joining many.
    const chunkSize = Math.max(64 * 1024, Math.min(total + 1, 64 * 1024 * 1024));
    return E.right({ out: zlib.gunzipSync(bytes, { maxOutputLength: total + 1, chunkSize }), header });
  } catch (e) {
    if (errorCode(e) === "ERR_BUFFER_TOO_LARGE")
      return E.left({
        _tag: "SizeMismatch",
        expectedBytes: header.dataBytes,
        actualBytes: header.dataBytes + 1,
        message: `${name}: header says ${describe(header)} (${header.dataBytes} bytes of data), the file inflates to more`,
      });
    return E.left(gzipCorrupt(name, e instanceof Error ? e.message : String(e)));
  }
}

function parseGzip(bytes: Uint8Array, name: string, maxBytes: number, zlib: ZlibLike): E.Either<IdxError, IdxArray> {
  const r = inflateIdx(bytes, name, maxBytes, zlib);
  return E.isLeft(r) ? r : decodeBody(r.right.out, r.right.header, name);
}

/**
 * The uncompressed bytes of a gzip-compressed IDX file (other input is returned as is), inflated
 * no further than its header justifies. Used to checksum the content of recompressed copies.
 */
export async function inflateIdxFile(bytes: Uint8Array, options: ParseIdxOptions = {}): Promise<E.Either<IdxError, Uint8Array>> {
  const name = options.name ?? "IDX data";
  if (!isGzip(bytes)) return E.right(bytes);
  const zlib = await zlibAsync();
  if (zlib !== undefined) return E.map((r: { out: Uint8Array }) => r.out)(inflateIdx(bytes, name, options.maxBytes ?? DEFAULT_MAX_BYTES, zlib));
  const out = await gunzipWeb(bytes, maxInflatedSize(bytes.length));
  return typeof out === "string" ? E.left(gzipCorrupt(name, out)) : E.right(out);
}

/**
 * Parses an IDX file, gzip-compressed or not (detected from the first two bytes). Never throws:
 * every problem is an `IdxError`. `u8`/`i8` data are views of the (inflated) input, other types
 * copies. Inflating needs Node (`node:zlib`); elsewhere use `parseIdxAsync`.
 * @example
 * const r = parseIdx(bytes, { name: "t10k-labels-idx1-ubyte.gz" });
 * if (E.isRight(r) && r.right.dtype === "u8") console.log(r.right.shape); // [10000]
 */
export function parseIdx(bytes: Uint8Array, options: ParseIdxOptions = {}): E.Either<IdxError, IdxArray> {
  const name = options.name ?? "IDX data";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isGzip(bytes)) return parseRaw(bytes, name, maxBytes);
  const zlib = zlibSync();
  if (zlib === undefined)
    return E.left({ _tag: "GzipUnavailable", message: `${name}: gzip-compressed, and this runtime has no synchronous gzip; use parseIdxAsync` });
  return parseGzip(bytes, name, maxBytes, zlib);
}

/**
 * Like `parseIdx`, but also inflates gzip where only the web's `DecompressionStream` exists
 * (browsers), loading `node:zlib` lazily otherwise.
 * @example
 * const r = await parseIdxAsync(new Uint8Array(await (await fetch(url)).arrayBuffer()));
 */
export async function parseIdxAsync(bytes: Uint8Array, options: ParseIdxOptions = {}): Promise<E.Either<IdxError, IdxArray>> {
  const name = options.name ?? "IDX data";
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!isGzip(bytes)) return parseRaw(bytes, name, maxBytes);
  const zlib = await zlibAsync();
  if (zlib !== undefined) return parseGzip(bytes, name, maxBytes, zlib);
  const out = await gunzipWeb(bytes, Math.min(maxInflatedSize(bytes.length), maxBytes + 4 + 4 * 255 + 1));
  return typeof out === "string" ? E.left(gzipCorrupt(name, out)) : parseRaw(out, name, maxBytes);
}

/**
 * Encodes an array as an (uncompressed) IDX file, the inverse of `parseIdx`. Throws a `ValueError`
 * if the shape does not match the data or has more than 255 dimensions.
 * @example
 * const bytes = encodeIdx({ dtype: "u8", shape: [2, 2], data: Uint8Array.of(1, 2, 3, 4) });
 */
export function encodeIdx(array: IdxArray): Uint8Array {
  const { dtype, shape, data } = array;
  const size = sizeOf(shape);
  if (shape.length > 255) throw new ValueError("encodeIdx", "at most 255 dimensions", String(shape.length));
  if (shape.some((d) => !Number.isInteger(d) || d < 0 || d > 0xffffffff) || size !== data.length)
    throw new ValueError("encodeIdx", `a shape of u32 dimensions matching ${data.length} elements`, `[${shape.join(",")}]`);
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + size * ELEMENT_BYTES[dtype]);
  const view = new DataView(out.buffer);
  out[2] = TYPE_CODE[dtype];
  out[3] = shape.length;
  shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  switch (array.dtype) {
    case "u8":
    case "i8":
      out.set(new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.length), headerBytes);
      break;
    case "i16":
      array.data.forEach((x, i) => view.setInt16(headerBytes + 2 * i, x, false));
      break;
    case "i32":
      array.data.forEach((x, i) => view.setInt32(headerBytes + 4 * i, x, false));
      break;
    case "f32":
      array.data.forEach((x, i) => view.setFloat32(headerBytes + 4 * i, x, false));
      break;
    case "f64":
      array.data.forEach((x, i) => view.setFloat64(headerBytes + 8 * i, x, false));
      break;
  }
  return out;
}
