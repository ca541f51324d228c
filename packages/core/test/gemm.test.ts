import { describe, expect, it } from "vitest";
import { compile, input, matmul, transpose } from "../src/index.js";

/** Seeded values in [-1, 1). */
function data(seed: number, size: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** op(A)·op(B) as one float32 sum per element in the order of k: the order every GEMM path keeps. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((a[ta ? p * m + i : i * k + p] as number) * (b[tb ? j * k + p : p * n + j] as number)));
      c[i * n + j] = s;
    }
  }
  return c;
}

describe("GEMM: blocked and packed", () => {
  // Shapes past the packing threshold with ragged edges: k in uneven blocks, partial tiles and panels.
  it.each([
    [70, 600, 450], [5, 1030, 257], [3, 513, 600],
  ])("A·B, Aᵀ·B and A·Bᵀ sum in the order of k for m=%i k=%i n=%i", (m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
      const a = input("a", ta ? [k, m] : [m, k]);
      const b = input("b", tb ? [n, k] : [k, n]);
      const [da, db] = [data(m + k, m * k), data(n + k, k * n)];
      const c = compile({ a, b }, { c: matmul(ta ? transpose(a) : a, tb ? transpose(b) : b) }).set("a", da).set("b", db);
      c.execute();
      // Without relaxed SIMD's fused multiply-add every product rounds before the add, as here.
      expect(c.view("c")).toEqual(reference(da, db, m, k, n, ta, tb));
    }
  });
});
