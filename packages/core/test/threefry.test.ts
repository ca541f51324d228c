import { describe, expect, it } from "vitest";
import { foldIn, key, permutation, split } from "../src/index.js";
import { threefry2x32 } from "../src/random/threefry.js";

const hash = (k0: number, k1: number, c0: number, c1: number): number[] => {
  const out = new Uint32Array(2);
  threefry2x32(k0, k1, c0, c1, out);
  return Array.from(out);
};

describe("threefry2x32", () => {
  it("matches the published known-answer vectors (20 rounds)", () => {
    expect(hash(0, 0, 0, 0)).toEqual([0x6b200159, 0x99ba4efe]);
    expect(hash(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff)).toEqual([0x1cb996fc, 0xbb002be7]);
    expect(hash(0x13198a2e, 0x03707344, 0x243f6a88, 0x85a308d3)).toEqual([0xc4923a9c, 0x483df7a0]);
  });

  it("derives distinct, reproducible keys", () => {
    const [a, b] = split(key(42));
    expect(a?.toFlat()).toEqual(split(key(42))[0]?.toFlat());
    expect(a?.toFlat()).not.toEqual(b?.toFlat());
    expect(foldIn(key(1), 3).toFlat()).not.toEqual(foldIn(key(1), 4).toFlat());
  });

  it("permutes 0…n−1", () => {
    const p = permutation(key(7), 1000);
    expect(Array.from(p).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p)).not.toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
