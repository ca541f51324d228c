// The JSON of a safetensors header, parsed by hand: RFC 8259 syntax, but nesting limited to the
// depth the format needs (header object → entry object → shape array), objects as Maps (so keys
// such as "__proto__" or "constructor" are plain data), duplicate keys refused, and a single pass
// over the text, so a header at the 100 MB cap costs time in proportion to its length.

/** A parsed JSON value; objects are Maps in key order. */
export type Json = null | boolean | number | string | Json[] | JsonObject;
export type JsonObject = Map<string, Json>;

/** The deepest nesting a safetensors header needs: {name: {shape: [dims]}}. */
export const MAX_HEADER_DEPTH = 3;

/** A syntax error at a character offset of the header text. */
export class HeaderSyntaxError extends Error {
  constructor(message: string, at: number) {
    super(`${message} at character ${at}`);
  }
}

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * Parses `text` as one JSON value with at most `maxDepth` levels of arrays and objects.
 * @example
 * parseJson('{"a": {"shape": [2]}}', 3);   // Map { "a" => Map { "shape" => [2] } }
 */
export function parseJson(text: string, maxDepth = MAX_HEADER_DEPTH): Json {
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
  const value = (depth: number): Json => {
    space();
    const c = text[at];
    if (c === "{" || c === "[") {
      if (depth >= maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
      return c === "{" ? object(depth + 1) : array(depth + 1);
    }
    if (c === '"') return string();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    // Fast path for the integers that fill a header: digits not followed by a fraction or exponent.
    let end = at;
    for (let d = text.charCodeAt(end); d >= 0x30 && d <= 0x39; d = text.charCodeAt(++end));
    const next = text.charCodeAt(end);
    if (end > at && (end - at === 1 || c !== "0") && end - at < 16 && next !== 0x2e && next !== 0x65 && next !== 0x45) {
      const v = Number(text.slice(at, end));
      at = end;
      return v;
    }
    NUMBER.lastIndex = at;
    const m = NUMBER.exec(text);
    if (m === null) return fail(at < text.length ? `unexpected ${JSON.stringify(c)}` : "unexpected end");
    at += m[0].length;
    return Number(m[0]);
  };
  const object = (depth: number): JsonObject => {
    const out: JsonObject = new Map();
    at++;
    space();
    if (text[at] === "}") {
      at++;
      return out;
    }
    for (;;) {
      space();
      const key = string();
      if (out.has(key)) fail(`duplicate key ${JSON.stringify(key)}`);
      space();
      expect(":");
      out.set(key, value(depth));
      space();
      if (text[at] === "}") break;
      expect(",");
    }
    at++;
    return out;
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
    return out;
  };
  const result = value(0);
  space();
  if (at !== text.length) fail("trailing characters after the JSON value");
  return result;
}
