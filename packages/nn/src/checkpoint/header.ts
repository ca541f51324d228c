// The JSON header of a safetensors file, parsed by hand in one pass straight into entry records:
// RFC 8259 syntax, nesting limited to the depth the format needs (header object → entry object →
// shape array), duplicate keys refused, and each entry checked as soon as its object closes and
// stored in columns (no Map, record or closure per entry), so a header at the 100 MB cap costs time
// in proportion to its length and little garbage. Names are plain strings (never property keys), so
// "__proto__" or "constructor" are names like any other.
import { either as E } from "fp-ts";
import type { CheckpointError } from "./errors.js";

/** Bytes per element of the format's dtypes that typegrad reads. I64 is read into i32 when every value fits (PyTorch's num_batches_tracked). */
export const BYTES: Readonly<Record<string, number>> = { F32: 4, F64: 8, I32: 4, BOOL: 1, I64: 8 };
/** Each readable tag once, so that entries share one string per dtype rather than one per entry. */
const TAGS = new Map(Object.keys(BYTES).map((t) => [t, t]));
/** Dtypes of the format that typegrad cannot hold. */
const KNOWN_UNSUPPORTED = new Set(["F16", "BF16", "F8_E4M3", "F8_E5M2", "I8", "U8", "I16", "U16", "U32", "U64"]);

/**
 * The header's tensors as columns, in header order: name, dtype tag, shape and byte range
 * [begin, end) in the data of tensor `i` are `names[i]`, `tags[i]`, …. No object per entry, so a
 * header of a million tensors leaves little for the garbage collector to copy.
 */
export interface Entries {
  readonly names: string[];
  readonly tags: string[];
  readonly shapes: number[][];
  readonly begins: number[];
  readonly ends: number[];
}

/** A parsed header: the tensors' entries and the string metadata. */
export interface Header {
  readonly entries: Entries;
  readonly metadata: ReadonlyMap<string, string>;
}

/** The deepest nesting a safetensors header needs: {name: {shape: [dims]}}. */
export const MAX_HEADER_DEPTH = 3;

/** A parsed JSON value outside the entries' known fields; objects are Maps in key order. */
type Json = null | boolean | number | string | Json[] | Map<string, Json>;

/** A syntax error at a character offset of the header text. */
class HeaderSyntaxError extends Error {
  constructor(message: string, at: number) {
    super(`${message} at character ${at}`);
  }
}

/** Well-formed JSON that is not a header of the format. */
class HeaderSchemaError extends Error {}

/** A schema error in one entry (the JSON around it may be fine). */
class EntryError extends Error {
  constructor(readonly entry: string, message: string) {
    super(`tensor "${entry}": ${message}`);
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const isIndex = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** A short rendering of a parsed value for messages (never the whole of a hostile one). */
function show(v: Json | undefined): string {
  if (v instanceof Map) return "an object";
  const text = JSON.stringify(v) ?? "nothing";
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

const bad = (name: string, message: string): never => {
  throw new EntryError(name, message);
};

/** Checks one entry's fields and appends it to `entries`, or throws an EntryError saying what is wrong. */
function addEntry(entries: Entries, name: string, dtype: Json | undefined, shape: Json | undefined, offsets: Json | undefined): void {
  if (typeof dtype !== "string") return bad(name, "missing dtype");
  if (KNOWN_UNSUPPORTED.has(dtype)) return bad(name, `dtype ${dtype} is not supported (typegrad reads F32, F64, I32, BOOL and I64 that fits in I32)`);
  const tag = TAGS.get(dtype) ?? bad(name, `unknown dtype ${JSON.stringify(dtype)}`);
  if (!Array.isArray(shape) || !shape.every(isIndex)) return bad(name, `shape must be an array of non-negative integers, got ${show(shape)}`);
  const [begin, end] = Array.isArray(offsets) && offsets.length === 2 ? offsets : [];
  if (!isIndex(begin) || !isIndex(end) || begin > end) return bad(name, `data_offsets must be [begin, end] with 0 ≤ begin ≤ end, got ${show(offsets)}`);
  let expected = BYTES[tag] as number;
  for (const d of shape) expected *= d;
  if (!Number.isSafeInteger(expected)) return bad(name, `${tag}[${shape.join(",")}] is too large to address`);
  if (end - begin !== expected) return bad(name, `${tag}[${shape.join(",")}] needs ${expected} bytes but data_offsets [${begin}, ${end}] hold ${end - begin}`);
  entries.names.push(name);
  entries.tags.push(tag);
  entries.shapes.push(shape);
  entries.begins.push(begin);
  entries.ends.push(end);
}

/**
 * Parses a safetensors header: `{name: {dtype, shape, data_offsets}, "__metadata__": {string:
 * string}}`, checking syntax, depth, duplicate keys, every entry's fields and the metadata.
 * @example
 * parseHeader('{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}');   // Right({ entries: { names: ["a"], tags: ["F32"], … }, metadata })
 */
export function parseHeader(text: string): E.Either<CheckpointError, Header> {
  let at = 0;
  const fail = (message: string): never => {
    throw new HeaderSyntaxError(message, at);
  };
  const space = (): void => {
    for (let c = text.charCodeAt(at); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; c = text.charCodeAt(++at));
  };
  const expect = (ch: string): void => {
    if (text[at] !== ch) fail(`expected "${ch}" but found ${at < text.length ? JSON.stringify(text[at]) : "the end"}`);
    at++;
  };
  const string = (): string => {
    expect('"');
    let out = "";
    let start = at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c === 0x22) break;
      if (Number.isNaN(c)) fail("unterminated string");
      if (c < 0x20) fail("control character in a string");
      if (c !== 0x5c) {
        at++;
        continue;
      }
      out += text.slice(start, at);
      const e = text[at + 1] ?? "";
      if (e === "u") {
        const hex = text.slice(at + 2, at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
        out += String.fromCharCode(parseInt(hex, 16));
        at += 6;
      } else {
        const ch = ESCAPES[e];
        if (ch === undefined) fail(`bad escape \\${e}`);
        out += ch;
        at += 2;
      }
      start = at;
    }
    out += text.slice(start, at);
    at++;
    return out;
  };
  const literal = (word: string, v: Json): Json => {
    if (!text.startsWith(word, at)) fail("unexpected character");
    at += word.length;
    return v;
  };
  const number = (): number => {
    // Fast path for the integers that fill a header: digits not followed by a fraction or exponent.
    let end = at;
    let v = 0;
    for (let d = text.charCodeAt(end); d >= 0x30 && d <= 0x39; d = text.charCodeAt(++end)) v = v * 10 + (d - 0x30);
    const next = text.charCodeAt(end);
    if (end > at && (end - at === 1 || text.charCodeAt(at) !== 0x30) && end - at < 16 && next !== 0x2e && next !== 0x65 && next !== 0x45) {
      at = end;
      return v; // exact: fewer than 16 digits stay below 2^53
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (m === null) return fail(at < text.length ? `unexpected ${JSON.stringify(text[at])}` : "unexpected end");
    at += m[0].length;
    return Number(m[0]);
  };
  /** The members of an object, one `member(key)` call each, from its "{"; duplicate keys refused. */
  const members = (member: (key: string) => void): void => {
    const keys = new Set<string>();
    at++;
    space();
    if (text[at] === "}") {
      at++;
      return;
    }
    for (;;) {
      space();
      const key = string();
      if (keys.size === keys.add(key).size) fail(`duplicate key ${JSON.stringify(key)}`);
      space();
      expect(":");
      member(key);
      space();
      if (text[at] === "}") break;
      expect(",");
    }
    at++;
  };
  const value = (depth: number): Json => {
    space();
    const c = text[at];
    if (c === "{" || c === "[") {
      if (depth >= MAX_HEADER_DEPTH) fail(`nesting deeper than ${MAX_HEADER_DEPTH} levels`);
      if (c === "[") return array(depth + 1);
      const out = new Map<string, Json>();
      members((key) => out.set(key, value(depth + 1)));
      return out;
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    return number();
  };
  const array = (depth: number): Json[] => {
    const out: Json[] = [];
    at++;
    space();
    if (text[at] === "]") {
      at++;
      return out;
    }
    for (;;) {
      out.push(value(depth));
      space();
      if (text[at] === "]") break;
      expect(",");
    }
    at++;
    // A copy of exactly the right size: the one grown by push keeps spare capacity for the life of a shape.
    return out.slice();
  };
  /** One tensor's object (depth 2), without a Map: its fields go to locals, others are parsed and dropped. */
  const entry = (name: string): void => {
    space();
    if (text[at] !== "{") throw new EntryError(name, "expected an object {dtype, shape, data_offsets}");
    let dtype: Json | undefined, shape: Json | undefined, offsets: Json | undefined;
    members((key) => {
      const v = value(2);
      if (key === "dtype") dtype = v;
      else if (key === "shape") shape = v;
      else if (key === "data_offsets") offsets = v;
    });
    addEntry(entries, name, dtype, shape, offsets);
  };
  const metadataOf = (v: Json): Map<string, string> => {
    const out = new Map<string, string>();
    if (v === null) return out;
    if (v instanceof Map) for (const [k, s] of v) if (typeof s === "string") out.set(k, s);
    if (!(v instanceof Map) || out.size !== v.size) throw new HeaderSchemaError(`"__metadata__" must map strings to strings`);
    return out;
  };

  const entries: Entries = { names: [], tags: [], shapes: [], begins: [], ends: [] };
  let metadata = new Map<string, string>();
  try {
    space();
    if (text[at] !== "{") throw new HeaderSchemaError("the header must be a JSON object");
    members((key) => {
      if (key === "__metadata__") metadata = metadataOf(value(1));
      else entry(key);
    });
    space();
    if (at !== text.length) fail("trailing characters after the JSON value");
  } catch (e) {
    if (e instanceof EntryError) return E.left({ kind: "bad-entry", name: e.entry, message: e.message });
    if (e instanceof HeaderSyntaxError) return E.left({ kind: "bad-header", message: `the header is not valid UTF-8 JSON of the format: ${e.message}` });
    if (e instanceof HeaderSchemaError) return E.left({ kind: "bad-header", message: e.message });
    throw e;
  }
  return E.right({ entries, metadata });
}
