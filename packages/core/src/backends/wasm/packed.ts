// The blocked GEMM for large products. The inner dimension is cut into blocks of about `kc`; for
// each block, the block of B (only this part's columns) is packed into panels of `nr` columns,
// contiguous along k, and for Aᵀ a block of `mc` rows of A is packed into strips of `mr` rows. An
// mr×nr register tile then streams one strip of A against one panel of B, which stays in L1 while
// every row tile of the block passes over it. The first k block starts the accumulators at zero,
// later ones at the partial sums in C: each element is still one sum in the order of k, so the
// result has the same bits as an unblocked loop, whatever the blocks, tiles or threads.
import type { MatmulStep } from "../../compile/plan.js";
import { type FunctionBuilder, Op, Simd, T } from "./emitter.js";
import { ZERO, storePartial } from "./simd.js";

/**
 * Register tile (mr rows × nr columns), cache blocks (kc inner, mc rows of A), and the size of B
 * (k·n elements) from which a product is packed, and from which one with A read transposed is:
 * measured, see docs/compile.md.
 */
export const BLOCK = { mr: 4, nr: 8, kc: 256, mc: 64, packAbove: 1 << 18, packTransposedAbove: 1 << 14 } as const;

/** The columns [from, to) of C that one part of a GEMM computes. */
export interface Columns {
  readonly from: number;
  readonly to: number;
}

/** Locals holding the byte addresses of this batch entry's A, B and C. */
export interface Bases {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** Lengths of the k blocks: as even as possible, none above `kc`. */
function kBlocks(k: number): { size: number; count: number; last: number } {
  const count = Math.max(1, Math.ceil(k / BLOCK.kc));
  const size = Math.ceil(k / count);
  return { size, count, last: k - (count - 1) * size };
}

const align = (bytes: number): number => Math.ceil(bytes / 16) * 16;

/** Bytes of packed B for a part's columns (with room for the over-writes of the transposing pack). */
const packedB = (s: MatmulStep, cols: Columns): number => align((kBlocks(s.k).size + 4) * Math.ceil((cols.to - cols.from) / BLOCK.nr) * BLOCK.nr * 4);

/** Scratch bytes one part needs: packed B, and packed A when A is read transposed. */
export function packedScratch(s: MatmulStep, cols: Columns): number {
  return packedB(s, cols) + (s.a.transposed ? align(BLOCK.mc * kBlocks(s.k).size * 4 + 64) : 0);
}

/** acc += a·b on f32x4 locals, fused when relaxed SIMD is allowed. */
export function multiplyAdd(f: FunctionBuilder, fma: boolean, acc: number, a: number, b: number): void {
  if (fma) f.get(a).get(b).get(acc).simd(Simd.f32x4_relaxed_madd).set(acc);
  else f.get(acc).get(a).get(b).simd(Simd.f32x4_mul).simd(Simd.f32x4_add).set(acc);
}

/** A byte-address term: a local times a scale (skipped when the local is absent). */
type Term = readonly [local: number | null, scale: number];

/** Pushes `constant + Σ local·scale`. */
function at(f: FunctionBuilder, constant: number, ...terms: Term[]): void {
  f.i32(constant);
  for (const [local, scale] of terms) {
    if (local === null || scale === 0) continue;
    f.get(local);
    if (scale !== 1) f.i32(scale).op(Op.i32_mul);
    f.op(Op.i32_add);
  }
}

/** A loop of `count` iterations with its index local; a single iteration runs inline with no index. */
function loop(f: FunctionBuilder, count: number, body: (i: number | null) => void): void {
  if (count === 1) body(null);
  else f.repeat(count, body);
}

/** Byte lanes of a shuffle picking 32-bit lanes `ls` of two vectors (0–3 the first, 4–7 the second). */
const lanes = (ls: readonly number[]): number[] => ls.flatMap((l) => [l * 4, l * 4 + 1, l * 4 + 2, l * 4 + 3]);

/** Transposes four f32x4 locals in place (rows become columns), through four temporaries. */
function transpose4(f: FunctionBuilder, v: readonly number[], t: readonly number[]): void {
  const [v0, v1, v2, v3] = v as [number, number, number, number];
  const [t0, t1, t2, t3] = t as [number, number, number, number];
  f.get(v0).get(v1).shuffle(lanes([0, 4, 1, 5])).set(t0);
  f.get(v0).get(v1).shuffle(lanes([2, 6, 3, 7])).set(t1);
  f.get(v2).get(v3).shuffle(lanes([0, 4, 1, 5])).set(t2);
  f.get(v2).get(v3).shuffle(lanes([2, 6, 3, 7])).set(t3);
  f.get(t0).get(t2).shuffle(lanes([0, 1, 4, 5])).set(v0);
  f.get(t0).get(t2).shuffle(lanes([2, 3, 6, 7])).set(v1);
  f.get(t1).get(t3).shuffle(lanes([0, 1, 4, 5])).set(v2);
  f.get(t1).get(t3).shuffle(lanes([2, 3, 6, 7])).set(v3);
}

/** One part of a packed product while its code is emitted: the step, its columns and panels, scratch addresses and locals. */
interface Part {
  readonly f: FunctionBuilder;
  readonly s: MatmulStep;
  readonly cols: Columns;
  readonly fma: boolean;
  readonly base: Bases;
  /** Panels of B in this part, and the width of the last (nr unless the part's width is not a multiple). */
  readonly panels: number;
  readonly lastWidth: number;
  /** Byte addresses of packed B and packed Aᵀ. */
  readonly bp: number;
  readonly ap: number;
  /** Locals: A and B at the current k block, the tile's pointers into A, packed B and C, and its countdown. */
  readonly srcA: number;
  readonly srcB: number;
  readonly pa: number;
  readonly pb: number;
  readonly pc: number;
  readonly left: number;
  readonly acc: readonly number[];
  readonly bv: readonly number[];
  readonly av: number;
  readonly vs: readonly number[];
  readonly ts: readonly number[];
}

const panelWidth = (p: Part, q: number): number => (q === p.panels - 1 ? p.lastWidth : BLOCK.nr);

/** Panels of the part that are full width. */
const fullPanels = (p: Part): number => (p.lastWidth === BLOCK.nr ? p.panels : p.panels - 1);

/**
 * B stored [k, n], rows contiguous along j: two panels at a time, row by row, so each step reads
 * 64 contiguous bytes of a row of B and each panel is written sequentially. (Panel by panel within
 * each row instead wrote kc·32 bytes apart, which for kc = 256 is one L1 set for every panel.)
 */
function packRows(p: Part, kc: number): void {
  const { f, s, cols, bp } = p;
  const { nr } = BLOCK;
  const pairs = Math.floor(fullPanels(p) / 2);
  loop(f, pairs, (q2) =>
    loop(f, kc, (row) => {
      for (let v = 0; v < 4; v++) {
        at(f, bp + (v >> 1) * kc * nr * 4 + (v & 1) * 16, [q2, 2 * kc * nr * 4], [row, nr * 4]);
        at(f, (cols.from + v * 4) * 4, [p.srcB, 1], [row, s.n * 4], [q2, 2 * nr * 4]);
        f.simdMem(Simd.v128_load, 0, 0).simdMem(Simd.v128_store, 0, 0);
      }
    }),
  );
  for (let q = 2 * pairs; q < p.panels; q++) {
    loop(f, kc, (row) => {
      for (let v = 0; v < Math.ceil(panelWidth(p, q) / 4); v++) {
        at(f, bp + (q * kc * nr + v * 4) * 4, [row, nr * 4]);
        at(f, (cols.from + q * nr + v * 4) * 4, [p.srcB, 1], [row, s.n * 4]);
        f.simdMem(Simd.v128_load, 0, 0).simdMem(Simd.v128_store, 0, 0);
      }
    });
  }
}

/**
 * Bᵀ stored [n, k]: per panel, 4 k at a time, its rows (columns j of B) four by four, transposed
 * with shuffles. When kc is not a multiple of 4 the last rows written spill into the next panel
 * (written later) or the scratch's slack.
 */
function packTransposed(p: Part, kc: number): void {
  const { f, s, cols, bp, vs, ts } = p;
  const { nr } = BLOCK;
  const panel = (q: number | null, qStatic: number, width: number): void => {
    loop(f, Math.ceil(kc / 4), (p4) => {
      for (let g = 0; g < Math.ceil(width / 4); g++) {
        vs.forEach((v, c) => {
          if (4 * g + c < width) {
            at(f, (cols.from + qStatic * nr + 4 * g + c) * s.k * 4, [p.srcB, 1], [q, nr * s.k * 4], [p4, 16]);
            f.simdMem(Simd.v128_load, 0, 0).set(v);
          } else f.v128i32(ZERO).set(v);
        });
        transpose4(f, vs, ts);
        vs.forEach((v, i) => {
          at(f, bp + ((qStatic * kc + i) * nr + 4 * g) * 4, [q, kc * nr * 4], [p4, 4 * nr * 4]);
          f.get(v).simdMem(Simd.v128_store, 0, 0);
        });
      }
    });
  };
  const full = fullPanels(p);
  if (full > 0) loop(f, full, (q) => panel(q, 0, nr));
  if (full < p.panels) panel(null, p.panels - 1, p.lastWidth);
}

/** Aᵀ stored [k, m]: rows [ic, ic + rows) of A over the block, into strips Ap[t][p][0..mr) (a strip may spill into the next). */
function packA(p: Part, kc: number, ic: number | null, icRows: number): void {
  const { f, s, ap } = p;
  const { mr, mc } = BLOCK;
  loop(f, Math.ceil(icRows / mr), (t) => {
    loop(f, kc, (row) => {
      for (let v = 0; v < Math.ceil(mr / 4); v++) {
        at(f, ap + v * 16, [t, kc * mr * 4], [row, mr * 4]);
        at(f, v * 16, [p.srcA, 1], [ic, mc * 4], [t, mr * 4], [row, s.m * 4]);
        f.simdMem(Simd.v128_load, 0, 0).simdMem(Simd.v128_store, 0, 0);
      }
    });
  });
}

/** One register tile: `rowCount` × `colCount` of C from pa (A) and pb (packed B) over kc steps, into pc. */
function tile(p: Part, kc: number, rowCount: number, colCount: number, first: boolean): void {
  const { f, s, pa, pb, pc, av, bv } = p;
  const { mr, nr } = BLOCK;
  const vectors = Math.ceil(colCount / 4);
  const [rowA, stepA] = s.a.transposed ? [4, mr * 4] : [s.k * 4, 4];
  const accOf = (r: number, v: number): number => p.acc[r * (nr / 4) + v] as number;
  for (let r = 0; r < rowCount; r++) {
    for (let v = 0; v < vectors; v++) {
      if (first) f.v128i32(ZERO);
      else f.get(pc).simdMem(Simd.v128_load, 0, (r * s.n + v * 4) * 4);
      f.set(accOf(r, v));
    }
  }
  f.i32(kc).set(p.left);
  f.block(Op.loop);
  for (let v = 0; v < vectors; v++) f.get(pb).simdMem(Simd.v128_load, 0, v * 16).set(bv[v] as number);
  for (let r = 0; r < rowCount; r++) {
    f.get(pa).simdMem(Simd.v128_load32_splat, 2, r * rowA).set(av);
    for (let v = 0; v < vectors; v++) multiplyAdd(f, p.fma, accOf(r, v), av, bv[v] as number);
  }
  f.get(pa).i32(stepA).op(Op.i32_add).set(pa);
  f.get(pb).i32(nr * 4).op(Op.i32_add).set(pb);
  f.get(p.left).i32(1).op(Op.i32_sub).tee(p.left).br(Op.br_if, 0);
  f.end();
  for (let r = 0; r < rowCount; r++) {
    for (let v = 0; v < vectors; v++) {
      f.get(pc).get(accOf(r, v));
      storePartial(f, Math.min(4, colCount - v * 4), (r * s.n + v * 4) * 4);
    }
  }
}

/** Rows [ic, ic + icRows) of C against every panel, for one k block. */
function rowBlock(p: Part, kc: number, ic: number | null, icRows: number, first: boolean): void {
  const { f, s, cols } = p;
  const { mr, nr, mc } = BLOCK;
  if (s.a.transposed) packA(p, kc, ic, icRows);
  const strips = Math.floor(icRows / mr);
  const panel = (q: number | null, qStatic: number): void => {
    const strip = (t: number | null, rowCount: number): void => {
      if (s.a.transposed) at(f, p.ap, [t, kc * mr * 4]);
      else at(f, 0, [p.srcA, 1], [ic, mc * s.k * 4], [t, mr * s.k * 4]);
      f.set(p.pa);
      at(f, p.bp + qStatic * kc * nr * 4, [q, kc * nr * 4]);
      f.set(p.pb);
      at(f, (cols.from + qStatic * nr) * 4, [p.base.c, 1], [ic, mc * s.n * 4], [t, mr * s.n * 4], [q, nr * 4]);
      f.set(p.pc);
      tile(p, kc, rowCount, panelWidth(p, qStatic), first);
    };
    loop(f, strips, (t) => strip(t, mr));
    if (icRows % mr) {
      // The last, shorter strip: its index is the count of full strips.
      const t = f.local(T.i32);
      f.i32(strips).set(t);
      strip(t, icRows % mr);
    }
  };
  const full = fullPanels(p);
  if (full > 0) loop(f, full, (q) => panel(q, 0));
  if (full < p.panels) panel(null, p.panels - 1);
}

/** One k block of length kc: pack B, then every block of rows; then A and B advance by kc. */
function kBlock(p: Part, kc: number, first: boolean): void {
  const { f, s } = p;
  const { mc } = BLOCK;
  if (s.b.transposed) packTransposed(p, kc);
  else packRows(p, kc);
  const blocks = Math.floor(s.m / mc);
  if (blocks > 0) loop(f, blocks, (ic) => rowBlock(p, kc, ic, mc, first));
  if (s.m % mc) {
    const ic = f.local(T.i32);
    f.i32(blocks).set(ic);
    rowBlock(p, kc, ic, s.m % mc, first);
  }
  // A by kc columns (or rows of Aᵀ), B by kc rows (or columns of Bᵀ).
  f.get(p.srcA).i32(kc * (s.a.transposed ? s.m : 1) * 4).op(Op.i32_add).set(p.srcA);
  f.get(p.srcB).i32(kc * (s.b.transposed ? 1 : s.n) * 4).op(Op.i32_add).set(p.srcB);
}

/**
 * Emits this part's columns of C = op(A)·op(B) for one matrix of the batch: the k blocks in
 * order, each packing B (and Aᵀ) into `scratch` and running the register tiles over it.
 */
export function emitPacked(f: FunctionBuilder, s: MatmulStep, base: Bases, cols: Columns, scratch: number, fma: boolean): void {
  const { mr, nr } = BLOCK;
  const panels = Math.ceil((cols.to - cols.from) / nr);
  const i32 = (): number => f.local(T.i32);
  const v128 = (count: number): number[] => Array.from({ length: count }, () => f.local(T.v128));
  const p: Part = {
    f, s, cols, fma, base, panels,
    lastWidth: cols.to - cols.from - (panels - 1) * nr,
    bp: scratch,
    ap: scratch + packedB(s, cols),
    srcA: i32(), srcB: i32(), pa: i32(), pb: i32(), pc: i32(), left: i32(),
    acc: v128((mr * nr) / 4), bv: v128(nr / 4), av: f.local(T.v128), vs: v128(4), ts: v128(4),
  };
  const blocks = kBlocks(s.k);
  const uneven = blocks.count > 1 && blocks.last !== blocks.size;
  f.get(base.a).set(p.srcA).get(base.b).set(p.srcB);
  kBlock(p, blocks.size, true);
  const middle = blocks.count - 1 - (uneven ? 1 : 0);
  if (middle > 0) loop(f, middle, () => kBlock(p, blocks.size, false));
  if (uneven) kBlock(p, blocks.last, false);
}
