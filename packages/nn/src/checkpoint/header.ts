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
  try {
    return E.right(new Parser(text).header());
  } catch (e) {
    if (e instanceof EntryError) return E.left({ kind: "bad-entry", name: e.entry, message: e.message });
    if (e instanceof HeaderSyntaxError) return E.left({ kind: "bad-header", message: `the header is not valid UTF-8 JSON of the format: ${e.message}` });
    if (e instanceof HeaderSchemaError) return E.left({ kind: "bad-header", message: e.message });
    throw e;
  }
}

/** A cursor over the header text; each method reads one piece of syntax at `at` and moves past it. */
class Parser {
  private at = 0;
  private readonly entries: Entries = { names: [], tags: [], shapes: [], begins: [], ends: [] };
  private metadata = new Map<string, string>();

  constructor(private readonly text: string) {}

  header(): Header {
    this.space();
    if (this.text[this.at] !== "{") throw new HeaderSchemaError("the header must be a JSON object");
    this.members((key) => {
      if (key === "__metadata__") this.metadata = metadataOf(this.value(1));
      else this.entry(key);
    });
    this.space();
    if (this.at !== this.text.length) this.fail("trailing characters after the JSON value");
    return { entries: this.entries, metadata: this.metadata };
  }

  /** One tensor's object (depth 2), without a Map: its fields go to locals, others are parsed and dropped. */
  private entry(name: string): void {
    this.space();
    if (this.text[this.at] !== "{") throw new EntryError(name, "expected an object {dtype, shape, data_offsets}");
    let dtype: Json | undefined, shape: Json | undefined, offsets: Json | undefined;
    this.members((key) => {
      const v = this.value(2);
      if (key === "dtype") dtype = v;
      else if (key === "shape") shape = v;
      else if (key === "data_offsets") offsets = v;
    });
    addEntry(this.entries, name, dtype, shape, offsets);
  }

  private fail(message: string): never {
    throw new HeaderSyntaxError(message, this.at);
  }

  private space(): void {
    const { text } = this;
    let c = text.charCodeAt(this.at);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++this.at);
  }

  private expect(ch: string): void {
    const { text, at } = this;
    if (text[at] !== ch) this.fail(`expected "${ch}" but found ${at < text.length ? JSON.stringify(text[at]) : "the end"}`);
    this.at++;
  }

  /** The members of an object, one `member(key)` call each, from its "{"; duplicate keys refused. */
  private members(member: (key: string) => void): void {
    const keys = new Set<string>();
    this.at++;
    this.space();
    if (this.text[this.at] === "}") {
      this.at++;
      return;
    }
    for (;;) {
      this.space();
      const key = this.string();
      if (keys.size === keys.add(key).size) this.fail(`duplicate key ${JSON.stringify(key)}`);
      this.space();
      this.expect(":");
      member(key);
      this.space();
      if (this.text[this.at] === "}") break;
      this.expect(",");
    }
    this.at++;
  }

  /** Any JSON value at nesting `depth`, objects as Maps. */
  private value(depth: number): Json {
    this.space();
    const c = this.text[this.at];
    if (c === "{" || c === "[") {
      if (depth >= MAX_HEADER_DEPTH) this.fail(`nesting deeper than ${MAX_HEADER_DEPTH} levels`);
      if (c === "[") return this.array(depth + 1);
      const out = new Map<string, Json>();
      this.members((key) => out.set(key, this.value(depth + 1)));
      return out;
    }
    if (c === '"') return this.string();
    if (c === "t") return this.literal("true", true);
    if (c === "f") return this.literal("false", false);
    if (c === "n") return this.literal("null", null);
    return this.number();
  }

  private array(depth: number): Json[] {
    const out: Json[] = [];
    this.at++;
    this.space();
    if (this.text[this.at] !== "]")
      for (;;) {
        out.push(this.value(depth));
        this.space();
        if (this.text[this.at] === "]") break;
        this.expect(",");
      }
    this.at++;
    // A copy of exactly the right size: the one grown by push keeps spare capacity for the life of a shape.
    return out.slice();
  }

  private string(): string {
    this.expect('"');
    const { text } = this;
    let out = "";
    let start = this.at;
    for (let c = text.charCodeAt(this.at); c !== 0x22; c = text.charCodeAt(this.at)) {
      if (Number.isNaN(c)) this.fail("unterminated string");
      if (c < 0x20) this.fail("control character in a string");
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      out += text.slice(start, this.at) + this.escape();
      start = this.at;
    }
    this.at++;
    return out + text.slice(start, this.at - 1);
  }

  /** The character of the escape at `at` (a backslash), moving past it. */
  private escape(): string {
    const e = this.text[this.at + 1] ?? "";
    if (e === "u") {
      const hex = this.text.slice(this.at + 2, this.at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail("bad \\u escape");
      this.at += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    const ch = ESCAPES[e];
    if (ch === undefined) return this.fail(`bad escape \\${e}`);
    this.at += 2;
    return ch;
  }

  private literal(word: string, v: Json): Json {
    if (!this.text.startsWith(word, this.at)) this.fail("unexpected character");
    this.at += word.length;
    return v;
  }

  private number(): number {
    const { text, at } = this;
    // Fast path for the integers that fill a header: digits not followed by a fraction or exponent.
    let end = at;
    let v = 0;
    for (let d = text.charCodeAt(end); d >= 0x30 && d <= 0x39; d = text.charCodeAt(++end)) v = v * 10 + (d - 0x30);
    const next = text.charCodeAt(end);
    if (end > at && (end - at === 1 || text.charCodeAt(at) !== 0x30) && end - at < 16 && next !== 0x2e && next !== 0x65 && next !== 0x45) {
      this.at = end;
      return v; // exact: fewer than 16 digits stay below 2^53
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (m === null) return this.fail(at < text.length ? `unexpected ${JSON.stringify(text[at])}` : "unexpected end");
    this.at += m[0].length;
    return Number(m[0]);
  }
}

/** The metadata's strings; null is no metadata (as the reference reader). */
function metadataOf(v: Json): Map<string, string> {
  const out = new Map<string, string>();
  if (v === null) return out;
  if (v instanceof Map) for (const [k, s] of v) if (typeof s === "string") out.set(k, s);
  if (!(v instanceof Map) || out.size !== v.size) throw new HeaderSchemaError(`"__metadata__" must map strings to strings`);
  return out;
}
