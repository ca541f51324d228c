// The fused kernel: one loop nest over a step's iteration shape. Loads read strided views (stride 0
// broadcasts, other strides gather lane by lane), the elementwise nodes run on four lanes at a time,
// and the result is stored, or accumulated into a reduction. Shapes are concrete, so trip counts,
// strides and the partial last vector are constants of the code.
import type { Expr } from "../../graph/expr.js";
import type { FusedStep, Ref } from "../../compile/plan.js";
import type { View } from "../../compile/view.js";
import type { DType } from "../../tensor/dtype.js";
import { BYTES } from "../../compile/memory.js";
import { type FunctionBuilder, Op, Simd, T } from "./emitter.js";
import { type Emitter, maxOf, vectorEmitter } from "./elementwise.js";
import { SIGN_BITS, ZERO, laneMask, storePartial } from "./simd.js";
import { sizeOf } from "../../shape/shape.js";

/** A view in the collapsed iteration space, with its base byte address. */
interface Access {
  readonly base: number;
  readonly dtype: DType;
  /** Strides in elements per (collapsed) iteration axis. */
  readonly strides: number[];
}

/** Drops axes of size 1 and merges neighbouring axes that every access walks contiguously. */
function collapse(shape: readonly number[], views: readonly (readonly number[])[]): { shape: number[]; strides: number[][] } {
  const keep = shape.map((d, i) => i).filter((i) => shape[i] !== 1);
  let dims = keep.map((i) => shape[i] as number);
  let strides = views.map((s) => keep.map((i) => s[i] as number));
  for (let i = dims.length - 2; i >= 0; i--) {
    const inner = dims[i + 1] as number;
    if (strides.every((s) => s[i] === (s[i + 1] as number) * inner)) {
      dims = [...dims.slice(0, i), (dims[i] as number) * inner, ...dims.slice(i + 2)];
      strides = strides.map((s) => [...s.slice(0, i), s[i + 1] as number, ...s.slice(i + 2)]);
    }
  }
  if (dims.length === 0) return { shape: [1], strides: views.map(() => [0]) };
  return { shape: dims, strides };
}

/** Identity element of a reduction, as an i32 bit pattern per lane. */
function identity(f: FunctionBuilder, op: "sum" | "max", dtype: DType): void {
  if (op === "sum") f.v128i32(ZERO);
  else if (dtype === "f32") f.v128f32(-Infinity);
  else f.v128i32(SIGN_BITS);
}

/** Pushes the reduction of the vectors in locals `acc` and `v`; f32 max folds as the reference does (`acc > v ? acc : v`). */
function combine(f: FunctionBuilder, op: "sum" | "max", dtype: DType, acc: number, v: number): void {
  if (op === "max" && dtype === "f32") {
    maxOf(f, [acc, v]);
    return;
  }
  f.get(acc).get(v).simd(op === "sum" ? (dtype === "f32" ? Simd.f32x4_add : Simd.i32x4_add) : Simd.i32x4_max_s);
}

/** Starts a reduction's output at the identity: zero bytes for sums, −∞ (or the least i32) for max. */
function initReduction(f: FunctionBuilder, step: FusedStep, op: "sum" | "max", storeBase: number): void {
  const count = step.store.shape.reduce((a, d, i) => a * (step.store.strides[i] === 0 ? 1 : d), 1);
  if (op === "sum") {
    f.i32(storeBase).i32(0).i32(count * BYTES[step.dtype]).memoryFill();
    return;
  }
  const v = f.local(T.v128);
  identity(f, op, step.dtype);
  f.set(v);
  f.repeat(Math.floor(count / 4), (i) => {
    f.get(i).i32(4).op(Op.i32_shl).get(v).simdMem(Simd.v128_store, 0, storeBase);
  });
  if (count % 4) {
    f.i32(storeBase + (count - (count % 4)) * 4).get(v);
    storePartial(f, count % 4, 0);
  }
}

/**
 * Emits the kernel of a fused step, or one loop over the parts of a multi-output step (none a
 * reduction), into `f`; `address` gives a view's base byte address.
 */
export function emitFused(f: FunctionBuilder, parts: readonly FusedStep[], address: (v: View, dtype: DType) => number): void {
  const step = parts[0] as FusedStep;
  if (step.reduce) initReduction(f, step, step.reduce, address(step.store, step.dtype));
  if (sizeOf(step.shape) === 0) return;
  new FusedLoop(f, parts, address).emit();
}

/** One part of a loop: its accesses in the collapsed space and the locals holding its vectors. */
interface Kernel {
  readonly step: FusedStep;
  readonly accesses: readonly Access[];
  readonly store: Access;
  readonly emitters: readonly (Emitter | null)[];
  /** Per access, the local of its hoisted broadcast value (inner stride 0), else −1. */
  readonly splats: readonly number[];
  /** Per access, the local of the vector it loads. */
  readonly values: readonly number[];
  /** Per node, the local of its result. */
  readonly nodeValues: readonly number[];
}

/** Identifies the vector an access reads at j: equal keys, equal bytes. */
const keyOf = (a: Access): string => `${a.base} ${a.dtype} ${a.strides.join(",")}`;

/**
 * The loop nest of a fused step over its collapsed shape: outer loops set each access's row
 * pointer, the row loop runs every part four lanes at a time, then the partial last vector.
 */
class FusedLoop {
  private readonly step: FusedStep;
  private readonly reduce: "sum" | "max" | null;
  private readonly shape: readonly number[];
  private readonly rank: number;
  private readonly kernels: readonly Kernel[];
  /** Every access of every part, loads then store, part by part. */
  private readonly all: readonly Access[];
  private readonly index: number[] = [];
  private readonly pointers = new Map<Access, number>();
  /** The element index j within the row, in elements. */
  private readonly j: number;
  /** The accumulator of a reduction along the row, else −1. */
  private readonly acc: number;
  /**
   * An f32 max along the row also tracks where each lane's maximum came from, so ties of 0 and −0
   * resolve as the reference's sequential fold does: to the last of them.
   */
  private readonly positions: boolean;
  private readonly accAt: number;
  private readonly at: number;
  private readonly chosen: number;
  private readonly tmp: number;
  private readonly tmpAddr: number;

  constructor(
    private readonly f: FunctionBuilder,
    parts: readonly FusedStep[],
    address: (v: View, dtype: DType) => number,
  ) {
    const step = parts[0] as FusedStep;
    this.step = step;
    this.reduce = step.reduce ?? null;
    // Every part's accesses collapse together, so all walk one loop nest.
    const { shape, strides } = collapse(step.shape, parts.flatMap((p) => [...p.loads.map((l) => l.view.strides), p.store.strides]));
    this.shape = shape;
    this.rank = shape.length;
    let next = 0;
    const access = (view: View, dtype: DType): Access => ({ base: address(view, dtype), dtype, strides: strides[next++] as number[] });
    this.kernels = parts.map((p) => {
      const accesses = p.loads.map((l) => access(l.view, l.dtype));
      return {
        step: p,
        accesses,
        store: access(p.store, p.dtype),
        emitters: p.nodes.map((n) => vectorEmitter(n.node)),
        splats: accesses.map((a) => (this.innerStride(a) === 0 ? f.local(T.v128) : -1)),
        values: accesses.map(() => f.local(T.v128)),
        nodeValues: p.nodes.map(() => f.local(T.v128)),
      };
    });
    this.all = this.kernels.flatMap((k) => [...k.accesses, k.store]);
    this.j = f.local(T.i32);
    this.acc = this.reduce && this.innerStride((this.kernels[0] as Kernel).store) === 0 ? f.local(T.v128) : -1;
    this.positions = this.acc >= 0 && this.reduce === "max" && step.dtype === "f32";
    [this.accAt, this.at, this.chosen] = this.positions ? [f.local(T.v128), f.local(T.v128), f.local(T.v128)] : [-1, -1, -1];
    this.tmp = f.local(T.v128);
    this.tmpAddr = f.local(T.i32);
  }

  emit(): void {
    if (this.rank > 1) for (const a of this.all) this.pointers.set(a, this.f.local(T.i32));
    this.nest(0);
  }

  private innerStride(a: Access): number {
    return a.strides[a.strides.length - 1] as number;
  }

  /** Loops over the outer axes; at the innermost, sets every row pointer and emits the row. */
  private nest(d: number): void {
    const { f, rank } = this;
    if (d < rank - 1) {
      f.repeat(this.shape[d] as number, (i) => {
        this.index[d] = i;
        this.nest(d + 1);
      });
      return;
    }
    for (const a of this.all) {
      if (rank === 1) continue;
      // row pointer = base + Σ index[k]·stride[k]·bytes
      f.i32(a.base);
      for (let k = 0; k < rank - 1; k++) {
        const bytes = (a.strides[k] as number) * BYTES[a.dtype];
        if (bytes === 0) continue;
        f.get(this.index[k] as number).i32(bytes).op(Op.i32_mul).op(Op.i32_add);
      }
      f.set(this.pointers.get(a) as number);
    }
    this.row();
  }

  /** One row: hoisted broadcasts, the accumulator's start, full vectors in a loop, the tail, the row's reduction. */
  private row(): void {
    const { f, step, acc, j } = this;
    for (const k of this.kernels) k.accesses.forEach((a, i) => this.innerStride(a) === 0 && this.hoist(a, k.splats[i] as number));
    if (acc >= 0) {
      identity(f, this.reduce as "sum" | "max", step.dtype);
      f.set(acc);
      if (this.positions) f.v128i32([0, 1, 2, 3]).set(this.at).v128i32(ZERO).set(this.accAt);
    }
    const inner = this.shape[this.rank - 1] as number;
    const full = Math.floor(inner / 4);
    const tail = inner % 4;
    f.i32(0).set(j);
    if (full > 0) {
      f.block(Op.loop);
      const known = new Map<string, number>();
      const computed = new Map<Expr, number>();
      for (const k of this.kernels) this.body(k, 4, known, computed);
      f.get(j).i32(4).op(Op.i32_add).tee(j).i32(full * 4).op(Op.i32_lt_u).br(Op.br_if, 0);
      f.end();
    }
    if (tail > 0) {
      const [known, computed] = [new Map<string, number>(), new Map<Expr, number>()];
      for (const k of this.kernels) this.body(k, tail, known, computed);
    }
    if (acc >= 0) this.reduceRow();
  }

  /**
   * One vector of a kernel's row: loads, nodes, then store or accumulate (`lanes` ≤ 4 valid).
   * `known` holds the locals with vectors this iteration already loaded or stored, by key: a part
   * of a loop reuses its inputs and an earlier part's outputs instead of reading memory again.
   * `computed` holds the nodes an earlier part computed in this iteration: a node recomputed in
   * several parts (Adam's new moments, in the parameter's update and in their own stores) is
   * computed once. Parts share the loop's index and read their inputs before any part overwrites
   * them, so the node has the same value in each.
   */
  private body(k: Kernel, lanes: number, known: Map<string, number>, computed: Map<Expr, number>): void {
    const { f } = this;
    k.accesses.forEach((a, i) => {
      const target = k.values[i] as number;
      const dense = this.innerStride(a) === 1 && a.dtype !== "bool";
      const seen = dense ? known.get(keyOf(a)) : undefined;
      if (seen !== undefined) f.get(seen).set(target);
      else this.load(a, target, k.splats[i] as number, lanes);
      if (dense) known.set(keyOf(a), target);
    });
    k.step.nodes.forEach((n, i) => {
      const target = k.nodeValues[i] as number;
      const earlier = computed.get(n.node);
      if (earlier !== undefined) f.get(earlier);
      else (k.emitters[i] as Emitter)(f, n.args.map((r) => this.valueOf(k, r)));
      f.set(target);
      computed.set(n.node, target);
    });
    const result = this.valueOf(k, k.step.result);
    if (this.reduce && this.acc >= 0) this.accumulate(result, lanes);
    else this.store(k, result, lanes, known);
  }

  private valueOf(k: Kernel, r: Ref): number {
    return "load" in r ? (k.values[r.load] as number) : (k.nodeValues[r.node] as number);
  }

  /** Pushes the row pointer of an access (its base when there is one axis). */
  private rowPointer(a: Access): void {
    if (this.rank === 1) this.f.i32(a.base);
    else this.f.get(this.pointers.get(a) as number);
  }

  /** Pushes the byte address of element j of the current row of an access walked with `stride`. */
  private elementAddress(a: Access, stride: number): void {
    const { f } = this;
    this.rowPointer(a);
    f.get(this.j);
    const bytes = stride * BYTES[a.dtype];
    if (bytes !== 1) {
      if (Number.isInteger(Math.log2(bytes))) f.i32(Math.log2(bytes)).op(Op.i32_shl);
      else f.i32(bytes).op(Op.i32_mul);
    }
    f.op(Op.i32_add);
  }

  /** Loads the vector of an access at j into `target`: the hoisted splat, a vector load, bytes widened to a mask, or a gather. */
  private load(a: Access, target: number, splat: number, lanes: number): void {
    const { f } = this;
    const s = this.innerStride(a);
    if (s === 0) {
      f.get(splat).set(target);
      return;
    }
    if (s === 1 && a.dtype !== "bool") {
      this.elementAddress(a, 1);
      f.simdMem(Simd.v128_load, 0).set(target);
      return;
    }
    if (s === 1) {
      this.elementAddress(a, 1);
      f.simdMem(Simd.v128_load32_zero, 0).simd(Simd.i16x8_extend_low_i8x16_u).simd(Simd.i32x4_extend_low_i16x8_u);
      f.v128i32(ZERO).simd(Simd.i32x4_ne).set(target);
      return;
    }
    this.gather(a, target, s, lanes);
  }

  /** A strided load: one scalar load per lane. */
  private gather(a: Access, target: number, stride: number, lanes: number): void {
    const { f, tmpAddr } = this;
    this.elementAddress(a, stride);
    f.set(tmpAddr);
    const step = stride * BYTES[a.dtype];
    for (let lane = 0; lane < lanes; lane++) {
      if (lane > 0) f.get(target);
      f.get(tmpAddr);
      if (a.dtype === "bool") f.mem(Op.i32_load8_u, 0, lane * step);
      else f.mem(Op.i32_load, 2, lane * step);
      if (lane === 0) f.simd(Simd.i32x4_splat);
      else f.lane(Simd.i32x4_replace_lane, lane);
      f.set(target);
    }
    if (a.dtype === "bool") f.get(target).v128i32(ZERO).simd(Simd.i32x4_ne).set(target);
  }

  /** Loads a row's broadcast value once, splatted to all lanes. */
  private hoist(a: Access, splat: number): void {
    const { f } = this;
    this.rowPointer(a);
    if (a.dtype === "bool") f.mem(Op.i32_load8_u, 0).simd(Simd.i32x4_splat).v128i32(ZERO).simd(Simd.i32x4_ne);
    else f.simdMem(Simd.v128_load32_splat, 2);
    f.set(splat);
  }

  /** Folds a vector into the row's accumulator; lanes past the row's end hold garbage and become the identity first. */
  private accumulate(result: number, lanes: number): void {
    const { f, step, acc, tmp } = this;
    const reduce = this.reduce as "sum" | "max";
    let v = result;
    if (lanes < 4) {
      f.get(result);
      identity(f, reduce, step.dtype);
      f.v128i32(laneMask(lanes)).simd(Simd.v128_bitselect).set(tmp);
      v = tmp;
    }
    if (this.positions) {
      f.get(this.accAt).get(this.at).get(acc).get(v).simd(Simd.f32x4_gt).simd(Simd.v128_bitselect).set(this.accAt);
      f.get(this.at).v128i32([4, 4, 4, 4]).simd(Simd.i32x4_add).set(this.at);
    }
    combine(f, reduce, step.dtype, acc, v);
    f.set(acc);
  }

  /** Stores (or, for a reduction along an outer axis, read-modify-writes) a part's vector at j. */
  private store(k: Kernel, result: number, lanes: number, known: Map<string, number>): void {
    const { f, tmp, tmpAddr } = this;
    const { step, store } = k;
    // What was known of the bytes this store overwrites is stale.
    for (const other of [...known.keys()]) if (other.startsWith(`${store.base} `)) known.delete(other);
    const scatter = this.innerStride(store);
    this.elementAddress(store, scatter);
    f.set(tmpAddr);
    if (scatter !== 1) return this.scatter(step.dtype, result, scatter, lanes);
    if (this.reduce) f.get(tmpAddr).simdMem(Simd.v128_load, 0).set(tmp);
    f.get(tmpAddr);
    if (this.reduce) combine(f, this.reduce, step.dtype, tmp, result);
    else f.get(result);
    if (step.dtype === "bool") return this.storeMask(lanes);
    storePartial(f, lanes, 0);
    known.set(keyOf(store), result);
  }

  /** A strided store (a part of a join), lane by lane, at the address in `tmpAddr`. */
  private scatter(dtype: DType, result: number, stride: number, lanes: number): void {
    const { f, tmp, tmpAddr } = this;
    const bytes = stride * BYTES[dtype];
    if (dtype === "bool") f.get(result).simd(Simd.i32x4_neg).set(tmp);
    for (let lane = 0; lane < lanes; lane++) {
      f.get(tmpAddr).get(dtype === "bool" ? tmp : result);
      if (dtype === "bool") f.lane(Simd.i32x4_extract_lane, lane).mem(Op.i32_store8, 0, lane * bytes);
      else f.simdMemLane(Simd.v128_store32_lane, 0, lane * bytes, lane);
    }
  }

  /** Stores the lane mask on the stack (above its address) as bytes 0 and 1. */
  private storeMask(lanes: number): void {
    const { f, tmp, tmpAddr } = this;
    f.simd(Simd.i32x4_neg).set(tmp);
    f.get(tmp).get(tmp).simd(Simd.i16x8_narrow_i32x4_u).set(tmp);
    f.get(tmp).get(tmp).simd(Simd.i8x16_narrow_i16x8_u).set(tmp);
    if (lanes === 4) f.get(tmp).simdMemLane(Simd.v128_store32_lane, 0, 0, 0);
    else {
      f.op(Op.drop);
      for (let lane = 0; lane < lanes; lane++) f.get(tmpAddr).get(tmp).simdMemLane(Simd.v128_store8_lane, 0, lane, lane);
    }
  }

  /** Horizontal reduction of the accumulator, then one read-modify-write of the output element. */
  private reduceRow(): void {
    const { f, step, acc, tmp, tmpAddr } = this;
    const op = this.reduce as "sum" | "max";
    for (const lanes of [[8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7], [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]]) {
      f.get(acc).get(acc).shuffle(lanes).set(tmp);
      if (this.positions) this.maxWithPositions(lanes);
      else combine(f, op, step.dtype, acc, tmp);
      f.set(acc);
    }
    this.rowPointer((this.kernels[0] as Kernel).store);
    f.set(tmpAddr);
    f.get(tmpAddr).simdMem(Simd.v128_load32_splat, 2).set(tmp);
    f.get(tmpAddr);
    combine(f, op, step.dtype, tmp, acc);
    f.simdMemLane(Simd.v128_store32_lane, 2, 0, 0);
  }

  /** Pushes the f32 max of `acc` and its shuffle in `tmp`, keeping the later of two equal maxima (and NaN if either is NaN). */
  private maxWithPositions(lanes: readonly number[]): void {
    const { f, acc, tmp, accAt, at, chosen } = this;
    f.get(accAt).get(accAt).shuffle(lanes).set(at);
    f.get(acc).get(tmp).simd(Simd.f32x4_gt);
    f.get(acc).get(tmp).simd(Simd.f32x4_eq).get(accAt).get(at).simd(Simd.i32x4_gt_s).simd(Simd.v128_and);
    f.simd(Simd.v128_or).set(chosen);
    f.get(accAt).get(at).get(chosen).simd(Simd.v128_bitselect).set(accAt);
    f.get(acc).get(tmp).get(chosen).simd(Simd.v128_bitselect);
    f.get(acc).get(tmp).simd(Simd.f32x4_add);
    f.get(acc).get(acc).simd(Simd.f32x4_eq).get(tmp).get(tmp).simd(Simd.f32x4_eq).simd(Simd.v128_and).simd(Simd.v128_bitselect);
  }
}
