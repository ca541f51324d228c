// The protobuf wire format, write side only: what an ONNX file needs. A message is a list of
// fields, each `tag = field << 3 | wireType` followed by its value; varints carry integers (7 bits
// a byte, low first, negative int64 as ten bytes of two's complement), length-delimited values
// carry strings, bytes, packed numbers and nested messages. Nothing here needs the fixed-width forms.

const VARINT = 0;
const LENGTH_DELIMITED = 2;
const utf8 = new TextEncoder();

/** The varint bytes of an integer (int64 semantics: negatives take ten bytes). */
export function varint(n: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? low | 0x80 : low);
  } while (v > 0n);
  return out;
}

const tag = (field: number, wire: number): number[] => varint((field << 3) | wire);

/** Concatenates byte arrays. */
export function concatBytes(parts: readonly (Uint8Array | readonly number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An integer field (int32, int64 or enum). */
export const int = (field: number, n: number | bigint): Uint8Array => Uint8Array.from([...tag(field, VARINT), ...varint(n)]);

/** A length-delimited field: bytes, a nested message or packed numbers. */
export const bytes = (field: number, b: Uint8Array): Uint8Array => concatBytes([tag(field, LENGTH_DELIMITED), varint(b.length), b]);

/** A UTF-8 string field. */
export const string = (field: number, s: string): Uint8Array => bytes(field, utf8.encode(s));

/** A packed repeated integer field. */
export const packedInts = (field: number, ns: readonly (number | bigint)[]): Uint8Array => bytes(field, Uint8Array.from(ns.flatMap((n) => varint(n))));

/** A nested message made of fields. */
export const message = (field: number, fields: readonly Uint8Array[]): Uint8Array => bytes(field, concatBytes(fields));
