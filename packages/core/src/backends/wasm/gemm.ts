// Matrix products. Large ones take the blocked path (packed.ts). Smaller ones read their operands
// in place: with B stored row-major (A·B and Aᵀ·B) a 4×8 register tile accumulates eight f32x4
// vectors — per step of k, two vector loads of B's row, four broadcast loads of A and eight
// multiply-adds; with B stored transposed (A·Bᵀ) rows of A and of Bᵀ are both contiguous along k,
// so a 4×2 tile of dot products runs along k instead. Remainder rows and columns get smaller tiles
// of the same code. Every path computes only the columns it is given, so threads can share a product.
import type { MatmulStep } from "../../compile/plan.js";
import { type FunctionBuilder, Op, Simd, T } from "./emitter.js";
import { ZERO, laneMask, storePartial } from "./simd.js";
import { BLOCK, type Bases, type Columns, emitPacked, multiplyAdd, packedScratch } from "./packed.js";

/** Base byte addresses of the operands and the result, and of this part's scratch for packing. */
export interface MatmulAddresses {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly scratch: number;
}

/**
 * Whether a product takes the blocked, packed path: when B (k×n) outgrows what the direct tiles
 * keep cached, and for Aᵀ·B from a much smaller B, since the direct tile reads Aᵀ's four rows and
 * B's panel k·n·4 bytes apart per step while the packed one reads both contiguously. Below,
 * packing costs more than it saves (measured; docs/compile.md).
 */
export const packs = (s: MatmulStep): boolean => s.k * s.n >= (s.a.transposed ? BLOCK.packTransposedAbove : BLOCK.packAbove);

/** Scratch bytes a part computing columns `cols` of a product needs. */
export const matmulScratch = (s: MatmulStep, cols: Columns): number => (packs(s) ? packedScratch(s, cols) : 0);

/** Emits columns `cols` of C = A·B (or with an operand read transposed) for every matrix of the batch. */
export function emitMatmul(f: FunctionBuilder, s: MatmulStep, at: MatmulAddresses, fma: boolean, cols: Columns = { from: 0, to: s.n }): void {
  if (cols.to <= cols.from) return;
  const base = { a: f.local(T.i32), b: f.local(T.i32), c: f.local(T.i32) };
  f.i32(at.a).set(base.a).i32(at.b).set(base.b).i32(at.c).set(base.c);
  f.repeat(s.batch, () => {
    if (packs(s)) emitPacked(f, s, base, cols, at.scratch, fma);
    else if (s.b.transposed) dotTiles(f, s, base, cols, fma);
    else outerTiles(f, s, base, cols, fma);
    f.get(base.a).i32(s.a.batchStride * 4).op(Op.i32_add).set(base.a);
    f.get(base.b).i32(s.b.batchStride * 4).op(Op.i32_add).set(base.b);
    f.get(base.c).i32(s.m * s.n * 4).op(Op.i32_add).set(base.c);
  });
}

/** Full tiles and a remainder tile along two axes, the outer axis in the outer loop. */
interface Axis {
  readonly count: number;
  readonly size: number;
  readonly tail: number;
}

/** Loops over tiles; `tile` gets the tile's extents and the locals holding its tile indices. */
function tiles(
  f: FunctionBuilder,
  outer: Axis,
  inner: Axis,
  tile: (outerSize: number, innerSize: number, outerAt: number, innerAt: number) => void,
): void {
  const o = f.local(T.i32);
  const i = f.local(T.i32);
  const innerLoop = (outerSize: number): void => {
    f.i32(0).set(i);
    f.repeat(inner.count, () => {
      tile(outerSize, inner.size, o, i);
      f.get(i).i32(1).op(Op.i32_add).set(i);
    });
    if (inner.tail > 0) tile(outerSize, inner.tail, o, i);
  };
  f.i32(0).set(o);
  f.repeat(outer.count, () => {
    innerLoop(outer.size);
    f.get(o).i32(1).op(Op.i32_add).set(o);
  });
  if (outer.tail > 0) innerLoop(outer.tail);
}

/** A·B and Aᵀ·B: 4×8 tiles of C, columns outside so a panel of B stays in cache. */
function outerTiles(f: FunctionBuilder, s: MatmulStep, base: Bases, cols: Columns, fma: boolean): void {
  const { m, k, n } = s;
  const width = cols.to - cols.from;
  // Byte strides of A(i, p) along i and along p.
  const [rowA, stepA] = s.a.transposed ? [4, m * 4] : [k * 4, 4];
  const pa = f.local(T.i32);
  const pb = f.local(T.i32);
  const pc = f.local(T.i32);
  const left = f.local(T.i32);
  const acc = Array.from({ length: 8 }, () => f.local(T.v128));
  const bv = [f.local(T.v128), f.local(T.v128)];
  const av = f.local(T.v128);
  tiles(
    f,
    { count: Math.floor(width / 8), size: 8, tail: width % 8 },
    { count: Math.floor(m / 4), size: 4, tail: m % 4 },
    (width, height, col, row) => {
      const vectors = Math.ceil(width / 4);
      // pa = A + row·4·rowA, pb = B + col·32, pc = C + row·4·n·4 + col·32
      f.get(base.a).get(row).i32(4 * rowA).op(Op.i32_mul).op(Op.i32_add).set(pa);
      f.get(base.b).get(col).i32(32).op(Op.i32_mul).op(Op.i32_add).i32(cols.from * 4).op(Op.i32_add).set(pb);
      f.get(base.c).get(row).i32(16 * n).op(Op.i32_mul).op(Op.i32_add).get(col).i32(32).op(Op.i32_mul).op(Op.i32_add).i32(cols.from * 4).op(Op.i32_add).set(pc);
      for (let r = 0; r < height; r++) for (let v = 0; v < vectors; v++) f.v128i32(ZERO).set(acc[r * 2 + v] as number);
      if (k > 0) {
        f.i32(k).set(left);
        f.block(Op.loop);
        for (let v = 0; v < vectors; v++) f.get(pb).simdMem(Simd.v128_load, 0, v * 16).set(bv[v] as number);
        for (let r = 0; r < height; r++) {
          f.get(pa).simdMem(Simd.v128_load32_splat, 2, r * rowA).set(av);
          for (let v = 0; v < vectors; v++) multiplyAdd(f, fma, acc[r * 2 + v] as number, av, bv[v] as number);
        }
        f.get(pa).i32(stepA).op(Op.i32_add).set(pa);
        f.get(pb).i32(n * 4).op(Op.i32_add).set(pb);
        f.get(left).i32(1).op(Op.i32_sub).tee(left).br(Op.br_if, 0);
        f.end();
      }
      for (let r = 0; r < height; r++) {
        for (let v = 0; v < vectors; v++) {
          f.get(pc).get(acc[r * 2 + v] as number);
          storePartial(f, Math.min(4, width - v * 4), r * n * 4 + v * 16);
        }
      }
    },
  );
}

/** A·Bᵀ: 4×2 tiles of dot products along k, rows outside so a block of A stays in cache. */
function dotTiles(f: FunctionBuilder, s: MatmulStep, base: Bases, cols: Columns, fma: boolean): void {
  const { m, k, n } = s;
  const width = cols.to - cols.from;
  const pa = f.local(T.i32);
  const pb = f.local(T.i32);
  const left = f.local(T.i32);
  const acc = Array.from({ length: 8 }, () => f.local(T.v128));
  const av = Array.from({ length: 4 }, () => f.local(T.v128));
  const bv = [f.local(T.v128), f.local(T.v128)];
  const chunks = Math.floor(k / 4);
  const tail = k % 4;
  tiles(
    f,
    { count: Math.floor(m / 4), size: 4, tail: m % 4 },
    { count: Math.floor(width / 2), size: 2, tail: width % 2 },
    (height, width, row, col) => {
      f.get(base.a).get(row).i32(16 * k).op(Op.i32_mul).op(Op.i32_add).set(pa);
      f.get(base.b).get(col).i32(8 * k).op(Op.i32_mul).op(Op.i32_add).i32(cols.from * k * 4).op(Op.i32_add).set(pb);
      for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) f.v128i32(ZERO).set(acc[r * 2 + c] as number);
      const loads = (mask: boolean): void => {
        const masked = (): void => {
          if (mask) f.v128i32(laneMask(tail)).simd(Simd.v128_and);
        };
        for (let r = 0; r < height; r++) {
          f.get(pa).simdMem(Simd.v128_load, 0, r * k * 4);
          masked();
          f.set(av[r] as number);
        }
        for (let c = 0; c < width; c++) {
          f.get(pb).simdMem(Simd.v128_load, 0, c * k * 4);
          masked();
          f.set(bv[c] as number);
        }
        for (let r = 0; r < height; r++) for (let c = 0; c < width; c++) multiplyAdd(f, fma, acc[r * 2 + c] as number, av[r] as number, bv[c] as number);
      };
      if (chunks > 0) {
        f.i32(chunks).set(left);
        f.block(Op.loop);
        loads(false);
        f.get(pa).i32(16).op(Op.i32_add).set(pa);
        f.get(pb).i32(16).op(Op.i32_add).set(pb);
        f.get(left).i32(1).op(Op.i32_sub).tee(left).br(Op.br_if, 0);
        f.end();
      }
      // The last k % 4 terms: lanes past the row's end are zeroed in both operands.
      if (tail > 0) loads(true);
      for (let r = 0; r < height; r++) {
        for (let c = 0; c < width; c++) {
          const v = acc[r * 2 + c] as number;
          f.get(v).get(v).get(v).shuffle([8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7]).simd(Simd.f32x4_add).set(v);
          f.get(v).get(v).get(v).shuffle([4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]).simd(Simd.f32x4_add).set(v);
          // C(row·4 + r, col·2 + c)
          f.get(base.c).get(row).i32(16 * n).op(Op.i32_mul).op(Op.i32_add).get(col).i32(8).op(Op.i32_mul).op(Op.i32_add);
          f.get(v).lane(Simd.f32x4_extract_lane, 0).mem(Op.f32_store, 2, (r * n + c + cols.from) * 4);
        }
      }
    },
  );
}
