// Fuzzing the safetensors decoder with mutations of valid files: whatever the bytes, decoding
// returns a typed error or tensors consistent with their shapes, and never throws. Valid files
// round-trip bit for bit, and the encoder writes exactly the format's bytes.
import { type DType, Tensor } from "@typegrad/core";
import * as fc from "fast-check";
import { either as E } from "fp-ts";
import { afterAll, describe, expect, it } from "vitest";
import { type CheckpointErrorKind, decodeSafetensors, encodeSafetensors } from "../src/index.js";

const KINDS: readonly CheckpointErrorKind[] = ["truncated", "header-length", "bad-header", "bad-entry", "offsets"];
const TAGS: Record<DType, string> = { f32: "F32", f64: "F64", i32: "I32", bool: "BOOL" };
const stats = { cases: 0, typed: 0, decoded: 0, crashes: 0 };

/** Decodes and checks the invariants; counts the outcome. */
function check(bytes: Uint8Array): void {
  stats.cases++;
  let r: ReturnType<typeof decodeSafetensors>;
  try {
    r = decodeSafetensors(bytes);
  } catch (e) {
    stats.crashes++;
    throw e;
  }
  if (E.isLeft(r)) {
    stats.typed++;
    expect(KINDS).toContain(r.left.kind);
    expect(r.left.message.length).toBeGreaterThan(0);
    return;
  }
  stats.decoded++;
  for (const t of Object.values(r.right.tensors)) expect(t.data.length).toBe((t.shape as readonly number[]).reduce((a, d) => a * d, 1));
}

/** The format written out by hand: u64 LE header length, the JSON header padded with spaces to 8 bytes, the data. */
function reference(tensors: readonly [string, Tensor][], metadata: Record<string, string> | undefined): Uint8Array {
  let offset = 0;
  const fields = tensors.map(([name, t]) => {
    const begin = offset;
    offset += t.data.byteLength;
    return `${JSON.stringify(name)}:{"dtype":"${TAGS[t.dtype]}","shape":${JSON.stringify(t.shape)},"data_offsets":[${begin},${offset}]}`;
  });
  const meta = metadata === undefined ? [] : [`"__metadata__":${JSON.stringify(metadata)}`];
  const json = new TextEncoder().encode(`{${[...meta, ...fields].join(",")}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset).fill(0x20, 8, 8 + padded);
  new DataView(out.buffer).setBigUint64(0, BigInt(padded), true);
  out.set(json, 8);
  let at = 8 + padded;
  for (const [, t] of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

// Names include the ones that break naive object handling, and JSON's escapes.
const nameArb = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "0", "0.weight", 'q"uote', "back\\slash", "tab\t", "ünï", "😀"),
  fc.string({ minLength: 1, maxLength: 8 }),
);
const tensorArb = fc
  .tuple(fc.constantFrom<DType>("f32", "f64", "i32", "bool"), fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }))
  .chain(([dtype, shape]) => {
    const n = shape.reduce((a, d) => a * d, 1);
    const values = dtype === "bool" ? fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }) : fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: n, maxLength: n });
    return values.map((v) => {
      const data = dtype === "f32" ? Float32Array.from(v, (x) => x / 7) : dtype === "f64" ? Float64Array.from(v, (x) => x / 7) : dtype === "i32" ? Int32Array.from(v) : Uint8Array.from(v);
      return new Tensor(shape, dtype, data);
    });
  });
const fileArb = fc.tuple(
  fc.uniqueArray(fc.tuple(nameArb, tensorArb), { maxLength: 5, selector: ([name]) => name }).map((ts) => ts.filter(([name]) => name !== "__metadata__")),
  fc.option(fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })), { nil: undefined }),
);

const asRecord = (ts: readonly [string, Tensor][]): Record<string, Tensor> => {
  const out: Record<string, Tensor> = Object.create(null);
  for (const [name, t] of ts) out[name] = t;
  return out;
};
const headerLength = (bytes: Uint8Array): number => Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));

/** Replaces the header text, keeping the data and fixing the length field. */
function withHeader(file: Uint8Array, edit: (text: string) => string): Uint8Array {
  const n = headerLength(file);
  const text = edit(new TextDecoder().decode(file.subarray(8, 8 + n)));
  const json = new TextEncoder().encode(text);
  const out = new Uint8Array(8 + json.length + file.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(file.subarray(8 + n), 8 + json.length);
  return out;
}

// Fragments spliced into headers: structure, hostile numbers, escapes, a byte-order mark, depth.
const fragmentArb = fc.oneof(
  fc.constantFrom("[", "]", "{", "}", '"', "\\", ",", ":", "-1", "1.5", "1e400", "9007199254740993", "null", "true", '"__proto__":', "\uFEFF", "\u0000", "\\u12", '"F16"'),
  fc.integer({ min: 1, max: 12_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.string({ maxLength: 6 }),
);

// Well-formed JSON values that break the schema: depth, signs, fractions, sizes, types.
const valueArb = fc.oneof(
  fc.integer({ min: 2, max: 12_000 }).map((n) => `${"[".repeat(n)}0${"]".repeat(n)}`),
  fc.integer({ min: 1, max: 12_000 }).map((n) => `${'{"a":'.repeat(n)}0${"}".repeat(n)}`),
  fc.constantFrom("[-1]", "[1.5]", "[1e300]", "[4294967296,4294967296]", "[9007199254740993]", '["2"]', "null", "{}", "[]", "[0,0,0]", '"F32"', "[[1]]", '{"__proto__":[]}'),
);

describe("safetensors under fuzzing (fast-check, 14,000 cases)", () => {
  afterAll(() => {
    if (process.env.FUZZ_REPORT) console.info(`safetensors fuzz: ${stats.cases} cases, ${stats.typed} typed errors, ${stats.decoded} decoded, ${stats.crashes} crashes`);
  });

  it("valid files round-trip bit for bit and are exactly the format's bytes (2,000 cases)", () => {
    fc.assert(
      fc.property(fileArb, ([tensors, metadata]) => {
        const bytes = encodeSafetensors(asRecord(tensors), metadata);
        const order = Object.keys(asRecord(tensors));
        expect(bytes).toEqual(reference(order.map((k) => [k, asRecord(tensors)[k] as Tensor]), metadata === undefined || Object.keys(metadata).length === 0 ? undefined : metadata));
        check(bytes);
        const r = decodeSafetensors(bytes);
        if (E.isLeft(r)) throw new Error(r.left.message);
        expect(Object.keys(r.right.tensors)).toEqual(order);
        for (const [name, t] of tensors) {
          const u = r.right.tensors[name] as Tensor;
          expect([u.dtype, u.shape]).toEqual([t.dtype, t.shape]);
          expect(new Uint8Array(u.data.buffer, u.data.byteOffset, u.data.byteLength)).toEqual(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
        }
        expect({ ...r.right.metadata }).toEqual({ ...metadata });
      }),
      { numRuns: 2000 },
    );
  });

  it("truncated, extended and bit-flipped files (4,000 cases)", () => {
    fc.assert(
      fc.property(fileArb, fc.nat(), fc.nat({ max: 3 }), fc.integer({ min: 1, max: 255 }), ([tensors, metadata], at, mode, flip) => {
        const file = encodeSafetensors(asRecord(tensors), metadata);
        if (mode === 0) {
          const cut = at % file.length;
          check(file.subarray(0, cut));
          // Nothing shorter than the file decodes: the header or the data falls short.
          if (cut < file.length && E.isRight(decodeSafetensors(file.subarray(0, cut)))) expect(file.length - 8 - headerLength(file)).toBeGreaterThan(0);
        } else if (mode === 1) {
          const extended = new Uint8Array(file.length + 1 + (at % 16));
          extended.set(file);
          check(extended);
          expect(E.isLeft(decodeSafetensors(extended))).toBe(true);
        } else {
          const bad = file.slice();
          const i = mode === 2 ? at % Math.min(file.length, 8) : at % file.length;
          bad[i] = (bad[i] ?? 0) ^ flip;
          check(bad);
        }
      }),
      { numRuns: 4000 },
    );
  });

  it("headers with spliced tokens, hostile numbers, deep nesting and duplicate keys (4,000 cases)", () => {
    fc.assert(
      fc.property(fileArb, fc.array(fc.tuple(fc.nat(), fragmentArb, fc.nat({ max: 8 })), { minLength: 1, maxLength: 3 }), ([tensors, metadata], edits) => {
        const file = encodeSafetensors(asRecord(tensors), metadata);
        check(
          withHeader(file, (text) =>
            edits.reduce((t, [at, fragment, drop]) => {
              const i = at % (t.length + 1);
              return t.slice(0, i) + fragment + t.slice(i + drop);
            }, text),
          ),
        );
      }),
      { numRuns: 4000 },
    );
  });

  it("well-formed headers whose values break the schema (2,000 cases)", () => {
    fc.assert(
      fc.property(fileArb, fc.constantFrom("shape", "data_offsets", "dtype", "__metadata__"), fc.nat(), valueArb, ([tensors, metadata], field, which, value) => {
        const file = encodeSafetensors(asRecord(tensors), metadata);
        const pattern = new RegExp(`"${field}":(\\[[^\\]]*\\]|"[^"]*"|\\{[^}]*\\})`, "g");
        let k = 0;
        const hits = new TextDecoder().decode(file.subarray(8, 8 + headerLength(file))).match(pattern)?.length ?? 0;
        const bytes = withHeader(file, (text) => text.replace(pattern, (m) => (k++ === which % Math.max(hits, 1) ? `"${field}":${value}` : m)));
        check(bytes);
        // Values that can still be right: an empty shape or metadata, null metadata (as the reference reader), zero dims.
        if (hits > 0 && !["[]", "{}", "null", "[0,0,0]", '"F32"'].includes(value)) expect(E.isLeft(decodeSafetensors(bytes))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("random bytes behind a plausible length field (2,000 cases)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 96 }), (body) => {
        const bytes = new Uint8Array(8 + body.length);
        new DataView(bytes.buffer).setBigUint64(0, BigInt(body.length === 0 ? 0 : body[0] ?? 0), true);
        bytes.set(body, 8);
        check(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it("counted every case, and none crashed", () => {
    expect(stats.crashes).toBe(0);
  });
});
