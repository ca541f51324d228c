import { gzipSync } from "node:zlib";
import * as fc from "fast-check";
import { either as E } from "fp-ts";
import { describe, expect, it } from "vitest";
import { gunzipWeb } from "../src/gzip.js";
import { type IdxArray, type IdxError, encodeIdx, parseIdx, parseIdxAsync } from "../src/index.js";

const TAGS: readonly IdxError["_tag"][] = ["Truncated", "BadMagic", "UnknownDType", "DimensionOverflow", "SizeMismatch", "GzipCorrupt", "GzipUnavailable"];

const left = (r: E.Either<IdxError, IdxArray>): IdxError => {
  if (E.isRight(r)) throw new Error(`expected an error, got ${r.right.dtype}[${r.right.shape.join(",")}]`);
  return r.left;
};
const right = (r: E.Either<IdxError, IdxArray>): IdxArray => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const header = (code: number, dims: readonly number[]): Uint8Array => {
  const out = new Uint8Array(4 + 4 * dims.length);
  out[2] = code;
  out[3] = dims.length;
  const v = new DataView(out.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return out;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

describe("parseIdx: valid files", () => {
  const samples: IdxArray[] = [
    { dtype: "u8", shape: [2, 3], data: Uint8Array.of(0, 1, 2, 253, 254, 255) },
    { dtype: "i8", shape: [4], data: Int8Array.of(-128, -1, 0, 127) },
    { dtype: "i16", shape: [2, 2], data: Int16Array.of(-32768, -2, 258, 32767) },
    { dtype: "i32", shape: [3], data: Int32Array.of(-(2 ** 31), 16909060, 2 ** 31 - 1) },
    { dtype: "f32", shape: [1, 3], data: Float32Array.of(-1.5, 3.25, Number.POSITIVE_INFINITY) },
    { dtype: "f64", shape: [2], data: Float64Array.of(Math.PI, -0) },
    { dtype: "u8", shape: [0, 28, 28], data: new Uint8Array(0) },
    { dtype: "f64", shape: [], data: Float64Array.of(42) },
  ];

  it.each(samples.map((s) => [`${s.dtype}[${s.shape.join(",")}]`, s] as const))("round-trips %s, plain and gzipped", (_, sample) => {
    const bytes = encodeIdx(sample);
    for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
      const got = right(parseIdx(input));
      expect(got.dtype).toBe(sample.dtype);
      expect(got.shape).toEqual(sample.shape);
      expect(got.data.constructor).toBe(sample.data.constructor);
      expect(Array.from(got.data)).toEqual(Array.from(sample.data));
    }
  });

  it("reads big-endian bytes as written by hand", () => {
    const bytes = concat(header(0x0b, [2]), Uint8Array.of(0x01, 0x02, 0xff, 0xfe));
    const got = right(parseIdx(bytes));
    expect(got.dtype).toBe("i16");
    expect(Array.from(got.data)).toEqual([0x0102, -2]);
    const f = right(parseIdx(concat(header(0x0d, [1]), Uint8Array.of(0x3f, 0xc0, 0, 0))));
    expect(Array.from(f.data)).toEqual([1.5]);
  });

  it("decodes from an unaligned offset inside a larger buffer", () => {
    const file = encodeIdx({ dtype: "f64", shape: [2], data: Float64Array.of(1, 2) });
    const buf = new Uint8Array(file.length + 3);
    buf.set(file, 3);
    expect(Array.from(right(parseIdx(buf.subarray(3))).data)).toEqual([1, 2]);
  });

  it("parseIdxAsync agrees with parseIdx", async () => {
    const bytes = encodeIdx({ dtype: "i32", shape: [2, 2], data: Int32Array.of(1, -2, 3, -4) });
    const sync = right(parseIdx(gzipSync(bytes)));
    const async = right(await parseIdxAsync(gzipSync(bytes)));
    expect(Array.from(async.data)).toEqual(Array.from(sync.data));
  });
});

describe("gzip without node:zlib", () => {
  it("without synchronous zlib, parseIdx says so and parseIdxAsync still inflates", async () => {
    const bytes = encodeIdx({ dtype: "i16", shape: [3], data: Int16Array.of(1, -2, 3) });
    const gz = new Uint8Array(gzipSync(bytes));
    const saved = Object.getOwnPropertyDescriptor(process, "getBuiltinModule");
    // What a browser or an older Node looks like to the synchronous path.
    Reflect.deleteProperty(process, "getBuiltinModule");
    try {
      expect(right(parseIdx(bytes)).data).toEqual(Int16Array.of(1, -2, 3));
      const e = left(parseIdx(gz, { name: "x.gz" }));
      expect(e).toMatchObject({ _tag: "GzipUnavailable", message: "x.gz: gzip-compressed, and this runtime has no synchronous gzip; use parseIdxAsync" });
      expect(right(await parseIdxAsync(gz)).data).toEqual(Int16Array.of(1, -2, 3));
    } finally {
      if (saved) Object.defineProperty(process, "getBuiltinModule", saved);
    }
  });

  it("inflates with DecompressionStream, stops at the size limit, reports corrupt data", async () => {
    const bytes = encodeIdx({ dtype: "u8", shape: [1000], data: new Uint8Array(1000).fill(3) });
    const gz = new Uint8Array(gzipSync(bytes));
    const out = await gunzipWeb(gz, 10_000);
    expect(out).toEqual(bytes);
    expect(await gunzipWeb(gz, 100)).toBe("inflates to more than 100 bytes");
    expect(typeof (await gunzipWeb(gz.subarray(0, 20), 10_000))).toBe("string");
  });
});

describe("parseIdx: typed errors with messages about the file", () => {
  const name = "t10k-labels-idx1-ubyte";

  it("rejects a bad magic number", () => {
    const e = left(parseIdx(Uint8Array.of(0x1f, 0x00, 0x08, 0x01, 0, 0, 0, 0), { name }));
    expect(e._tag).toBe("BadMagic");
    expect(e.message).toBe(`${name}: not an IDX file: starts with 1f 00 08 01, expected 00 00 <type> <rank>`);
  });

  it("rejects an unknown element type", () => {
    const e = left(parseIdx(Uint8Array.of(0, 0, 0x0a, 1, 0, 0, 0, 1, 7), { name }));
    expect(e._tag).toBe("UnknownDType");
    expect(e.message).toContain("unknown IDX element type 0x0a");
  });

  it("rejects truncated headers and data", () => {
    expect(left(parseIdx(new Uint8Array(0)))._tag).toBe("Truncated");
    expect(left(parseIdx(Uint8Array.of(0, 0, 8)))._tag).toBe("Truncated");
    const short = left(parseIdx(concat(header(0x08, [3, 28]), new Uint8Array(10)).subarray(0, 9), { name }));
    expect(short).toMatchObject({ _tag: "Truncated", needed: 12, got: 9 });
    const data = left(parseIdx(concat(header(0x08, [10000]), new Uint8Array(9999)), { name }));
    expect(data._tag).toBe("Truncated");
    expect(data.message).toBe(`${name}: truncated: header says 10000 u8 (10000 bytes of data), the file has 9999`);
  });

  it("rejects trailing bytes (a header that claims too few elements)", () => {
    const e = left(parseIdx(concat(header(0x08, [9999]), new Uint8Array(10000)), { name }));
    expect(e).toMatchObject({ _tag: "SizeMismatch", expectedBytes: 9999, actualBytes: 10000 });
    expect(e.message).toContain("1 bytes too many");
  });

  it("rejects absurd dimensions before allocating anything", () => {
    const e = left(parseIdx(concat(header(0x0e, [0xffffffff, 0xffffffff, 0xffffffff]), new Uint8Array(8)), { name }));
    expect(e._tag).toBe("DimensionOverflow");
    // A zero dimension makes the product zero, however large the others are.
    const empty = right(parseIdx(header(0x0e, [0xffffffff, 0, 0xffffffff])));
    expect(empty.data.length).toBe(0);
    // A custom limit applies too.
    expect(left(parseIdx(concat(header(0x08, [100]), new Uint8Array(100)), { maxBytes: 99 }))._tag).toBe("DimensionOverflow");
  });

  it("reports corrupt, truncated and over-long gzip data", () => {
    const gz = new Uint8Array(gzipSync(encodeIdx({ dtype: "u8", shape: [1000], data: new Uint8Array(1000).fill(7) })));
    const truncated = left(parseIdx(gz.subarray(0, gz.length - 12), { name: `${name}.gz` }));
    expect(["GzipCorrupt", "Truncated"]).toContain(truncated._tag);
    expect(truncated.message.startsWith(`${name}.gz: `)).toBe(true);
    const flipped = gz.slice();
    flipped[gz.length - 6] = (flipped[gz.length - 6] ?? 0) ^ 0xff; // the CRC-32 / size trailer
    expect(left(parseIdx(flipped))._tag).toBe("GzipCorrupt");
    const lying = gzipSync(concat(header(0x08, [999]), new Uint8Array(1000)));
    expect(left(parseIdx(lying))._tag).toBe("SizeMismatch");
    // A small stream that inflates to far more than its header declares is cut off after one
    // extra byte instead of being inflated in full (16 MB here; the cap makes the size irrelevant).
    const bomb16 = gzipSync(concat(header(0x08, [10]), new Uint8Array(16 * 1024 * 1024)));
    expect(bomb16.length).toBeLessThan(20_000);
    expect(left(parseIdx(bomb16))._tag).toBe("SizeMismatch");
    // A header that claims more than the compressed size could ever inflate to.
    const bomb = gzipSync(concat(header(0x08, [2 ** 30]), new Uint8Array(10)));
    expect(left(parseIdx(bomb))._tag).toBe("Truncated");
  });
});

// Property tests: 12,000 generated inputs in all. Each checks that parseIdx returns (never throws),
// that errors carry a known tag and a message, and that any data returned is no larger than the
// bytes that back it.
describe("parseIdx: fuzzing", () => {
  const check = (input: Uint8Array, gz: boolean): E.Either<IdxError, IdxArray> => {
    const r = parseIdx(input, { name: "fuzz" });
    if (E.isLeft(r)) {
      expect(TAGS).toContain(r.left._tag);
      expect(r.left.message.startsWith("fuzz: ")).toBe(true);
    } else {
      const bound = gz ? input.length * 1032 + 1024 : input.length;
      expect(r.right.data.byteLength).toBeLessThanOrEqual(bound);
      expect(r.right.data.length).toBe(r.right.shape.reduce((a, d) => a * d, 1));
    }
    return r;
  };

  const dtypeArb = fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e);
  const elem: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };
  // Valid files of every type: a rank-0..4 shape of small dimensions and matching random bytes.
  const validArb = fc
    .tuple(dtypeArb, fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 }))
    .chain(([code, dims]) =>
      fc.uint8Array({
        minLength: dims.reduce((a, d) => a * d, elem[code] ?? 1),
        maxLength: dims.reduce((a, d) => a * d, elem[code] ?? 1),
      }).map((body) => concat(header(code, dims), body)),
    );

  it("random bytes (4,000 cases)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, zeroMagic) => {
        // Half the inputs get a valid-looking magic so that the parser gets past the first check.
        const input = bytes.slice();
        if (zeroMagic && input.length >= 2) input[0] = input[1] = 0;
        check(input, false);
      }),
      { numRuns: 4000 },
    );
  });

  it("valid files round-trip; truncated, extended and lying ones are rejected (4,000 cases)", () => {
    fc.assert(
      fc.property(validArb, fc.nat(), fc.integer({ min: 1, max: 16 }), fc.nat({ max: 3 }), fc.nat(), (file, cut, extra, mode, lie) => {
        expect(E.isRight(check(file, false))).toBe(true);
        const rank = file[3] ?? 0;
        if (mode === 0 && file.length > 0) {
          const truncated = file.subarray(0, cut % file.length);
          expect(left(check(truncated, false))._tag).toBe("Truncated");
        } else if (mode === 1) {
          expect(left(check(concat(file, new Uint8Array(extra)), false))._tag).toBe("SizeMismatch");
        } else if (mode === 2 && rank > 0) {
          // A lying dimension: any u32 other than the true one.
          const lied = file.slice();
          const view = new DataView(lied.buffer);
          const at = 4 + 4 * (lie % rank);
          const truth = view.getUint32(at, false);
          const fake = (truth + 1 + (lie % 0xfffffffe)) >>> 0;
          view.setUint32(at, fake === truth ? truth + 1 : fake, false);
          const r = check(lied, false);
          // Only a zero dimension elsewhere can make a lie harmless (both sizes are then 0).
          if (E.isRight(r)) expect(r.right.data.length).toBe(0);
          else expect(["Truncated", "SizeMismatch", "DimensionOverflow"]).toContain(r.left._tag);
        } else {
          // A bad magic byte or an unknown type code.
          const bad = file.slice();
          bad[lie % 3] = lie % 3 === 2 ? [0x00, 0x01, 0x0a, 0x0f, 0xff][lie % 5] ?? 0xff : 1 + (lie % 255);
          expect(["BadMagic", "UnknownDType"]).toContain(left(check(bad, false))._tag);
        }
      }),
      { numRuns: 4000 },
    );
  });

  it("gzipped files: valid, truncated, corrupted and lying (4,000 cases)", () => {
    fc.assert(
      fc.property(validArb, fc.nat(), fc.nat({ max: 3 }), fc.nat(), (file, cut, mode, lie) => {
        const gz = new Uint8Array(gzipSync(file));
        if (mode === 0) {
          const r = right(check(gz, true));
          expect(r.data.byteLength).toBe(file.length - 4 - 4 * (file[3] ?? 0));
        } else if (mode === 1) {
          // Cut before the end: never a success (the 8-byte trailer is missing or short).
          expect(E.isLeft(check(gz.subarray(0, 2 + (cut % (gz.length - 2))), true))).toBe(true);
        } else if (mode === 2) {
          // A flipped byte after the 10-byte gzip header: corrupt, or caught by the CRC.
          const bad = gz.slice();
          const at = 10 + (cut % (gz.length - 10));
          bad[at] = (bad[at] ?? 0) ^ (1 + (lie % 255));
          check(bad, true);
        } else {
          const extended = gzipSync(concat(file, Uint8Array.of(lie & 0xff)));
          expect(left(check(new Uint8Array(extended), true))._tag).toBe("SizeMismatch");
        }
      }),
      { numRuns: 4000 },
    );
  });
});
