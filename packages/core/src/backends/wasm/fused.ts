// The fused kernel: one loop nest over a step's iteration shape. Loads read strided views (stride 0
// broadcasts, other strides gather lane by lane), the elementwise nodes run on four lanes at a time,
// and the result is stored, or accumulated into a reduction. Shapes are concrete, so trip counts,
// strides and the partial last vector are constants of the code.
import type { FusedStep, Ref } from "../../compile/plan.js";
import type { View } from "../../compile/view.js";
import type { DType } from "../../tensor/dtype.js";
import { BYTES } from "../../compile/memory.js";
import { type FunctionBuilder, Op, Simd, T } from "./emitter.js";
import { maxOf, vectorEmitter } from "./elementwise.js";

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

/** The 16-byte lane mask with the first `n` 32-bit lanes set. */
const laneMask = (n: number): [number, number, number, number] => [0, 1, 2, 3].map((l) => (l < n ? -1 : 0)) as [number, number, number, number];

/** Identity element of a reduction, as an i32 bit pattern per lane. */
function identity(f: FunctionBuilder, op: "sum" | "max", dtype: DType): void {
  if (op === "sum") f.v128i32([0, 0, 0, 0]);
  else if (dtype === "f32") f.v128f32(-Infinity);
  else f.v128i32([-0x80000000, -0x80000000, -0x80000000, -0x80000000]);
}

/** Pushes the reduction of the vectors in locals `acc` and `v`; f32 max folds as the reference does (`acc > v ? acc : v`). */
function combine(f: FunctionBuilder, op: "sum" | "max", dtype: DType, acc: number, v: number): void {
  if (op === "max" && dtype === "f32") {
    maxOf(f, [acc, v]);
    return;
  }
  f.get(acc).get(v).simd(op === "sum" ? (dtype === "f32" ? Simd.f32x4_add : Simd.i32x4_add) : Simd.i32x4_max_s);
}

/**
 * Emits the kernel of a fused step, or one loop over the parts of a multi-output step (none a
 * reduction), into `f`; `address` gives a view's base byte address.
 */
export function emitFused(f: FunctionBuilder, parts: readonly FusedStep[], address: (v: View, dtype: DType) => number): void {
  const step = parts[0] as FusedStep;
  const size = step.shape.reduce((a, b) => a * b, 1);
  const reduce = step.reduce;
  const storeBase = address(step.store, step.dtype);
  if (reduce) {
    // The output starts at the identity: zero bytes for sums, −∞ (or the least i32) for max.
    const count = step.store.shape.reduce((a, d, i) => a * (step.store.strides[i] === 0 ? 1 : d), 1);
    if (reduce === "sum") f.i32(storeBase).i32(0).i32(count * BYTES[step.dtype]).memoryFill();
    else {
      const v = f.local(T.v128);
      identity(f, reduce, step.dtype);
      f.set(v);
      f.repeat(Math.floor(count / 4), (i) => {
        f.get(i).i32(4).op(Op.i32_shl).get(v).simdMem(Simd.v128_store, 0, storeBase);
      });
      if (count % 4) {
        f.i32(storeBase + (count - (count % 4)) * 4).get(v);
        storePartial(f, count % 4, 0);
      }
    }
  }
  if (size === 0) return;

  // Every part's accesses collapse together, so all walk one loop nest.
  const { shape, strides } = collapse(step.shape, parts.flatMap((p) => [...p.loads.map((l) => l.view.strides), p.store.strides]));
  const rank = shape.length;
  const inner = shape[rank - 1] as number;
  const innerStride = (a: Access): number => a.strides[rank - 1] as number;
  let next = 0;
  const access = (view: View, dtype: DType): Access => ({ base: address(view, dtype), dtype, strides: strides[next++] as number[] });
  const kernels = parts.map((p) => {
    const accesses = p.loads.map((l) => access(l.view, l.dtype));
    return {
      step: p,
      accesses,
      store: access(p.store, p.dtype),
      emitters: p.nodes.map((n) => vectorEmitter(n.node)),
      splats: accesses.map((a) => (innerStride(a) === 0 ? f.local(T.v128) : -1)),
      values: accesses.map(() => f.local(T.v128)),
      nodeValues: p.nodes.map(() => f.local(T.v128)),
    };
  });
  type Kernel = (typeof kernels)[number];
  const store = (kernels[0] as Kernel).store;

  // Outer loops: index locals; each access's row pointer is recomputed at the start of a row.
  const index: number[] = [];
  const pointers = new Map<Access, number>();
  const rowPointer = (a: Access): void => {
    if (rank === 1) {
      f.i32(a.base);
      return;
    }
    f.get(pointers.get(a) as number);
  };
  const all = kernels.flatMap((k) => [...k.accesses, k.store]);
  const j = f.local(T.i32);
  const acc = reduce && innerStride(store) === 0 ? f.local(T.v128) : -1;
  // An f32 max along the row also tracks where each lane's maximum came from, so ties of 0 and −0
  // resolve as the reference's sequential fold does: to the last of them.
  const positions = acc >= 0 && reduce === "max" && step.dtype === "f32";
  const [accAt, at, chosen] = positions ? [f.local(T.v128), f.local(T.v128), f.local(T.v128)] : [-1, -1, -1];
  const tmp = f.local(T.v128);
  const tmpAddr = f.local(T.i32);

  const valueOf = (k: Kernel, r: Ref): number => ("load" in r ? (k.values[r.load] as number) : (k.nodeValues[r.node] as number));

  /** Pushes the byte address of element j of the current row of an access walked with `stride`. */
  const elementAddress = (a: Access, stride: number): void => {
    rowPointer(a);
    f.get(j);
    const bytes = stride * BYTES[a.dtype];
    if (bytes !== 1) {
      if (Number.isInteger(Math.log2(bytes))) f.i32(Math.log2(bytes)).op(Op.i32_shl);
      else f.i32(bytes).op(Op.i32_mul);
    }
    f.op(Op.i32_add);
  };

  const load = (a: Access, target: number, splat: number, lanes: number): void => {
    const s = innerStride(a);
    if (s === 0) {
      f.get(splat).set(target);
      return;
    }
    if (s === 1 && a.dtype !== "bool") {
      elementAddress(a, 1);
      f.simdMem(Simd.v128_load, 0).set(target);
      return;
    }
    if (s === 1) {
      elementAddress(a, 1);
      f.simdMem(Simd.v128_load32_zero, 0).simd(Simd.i16x8_extend_low_i8x16_u).simd(Simd.i32x4_extend_low_i16x8_u);
      f.v128i32([0, 0, 0, 0]).simd(Simd.i32x4_ne).set(target);
      return;
    }
    // A gather: one scalar load per lane.
    elementAddress(a, s);
    f.set(tmpAddr);
    const step = s * BYTES[a.dtype];
    for (let lane = 0; lane < lanes; lane++) {
      if (lane > 0) f.get(target);
      f.get(tmpAddr);
      if (a.dtype === "bool") f.mem(Op.i32_load8_u, 0, lane * step);
      else f.mem(Op.i32_load, 2, lane * step);
      if (lane === 0) f.simd(Simd.i32x4_splat);
      else f.lane(Simd.i32x4_replace_lane, lane);
      f.set(target);
    }
    if (a.dtype === "bool") f.get(target).v128i32([0, 0, 0, 0]).simd(Simd.i32x4_ne).set(target);
  };

  const hoist = (a: Access, splat: number): void => {
    rowPointer(a);
    if (a.dtype === "bool") f.mem(Op.i32_load8_u, 0).simd(Simd.i32x4_splat).v128i32([0, 0, 0, 0]).simd(Simd.i32x4_ne);
    else f.simdMem(Simd.v128_load32_splat, 2);
    f.set(splat);
  };

  /** Identifies the vector an access reads at j: equal keys, equal bytes. */
  const key = (a: Access): string => `${a.base} ${a.dtype} ${a.strides.join(",")}`;

  /**
   * One vector of a kernel's row: loads, nodes, then store or accumulate (`lanes` ≤ 4 valid).
   * `known` holds the locals with vectors this iteration already loaded or stored, by key: a part
   * of a loop reuses its inputs and an earlier part's outputs instead of reading memory again.
   */
  const body = (k: Kernel, lanes: number, known: Map<string, number>): void => {
    const { step, store } = k;
    k.accesses.forEach((a, i) => {
      const target = k.values[i] as number;
      const dense = innerStride(a) === 1 && a.dtype !== "bool";
      const seen = dense ? known.get(key(a)) : undefined;
      if (seen !== undefined) f.get(seen).set(target);
      else load(a, target, k.splats[i] as number, lanes);
      if (dense) known.set(key(a), target);
    });
    step.nodes.forEach((n, i) => {
      (k.emitters[i] as NonNullable<Kernel["emitters"][number]>)(f, n.args.map((r) => valueOf(k, r)));
      f.set(k.nodeValues[i] as number);
    });
    const result = valueOf(k, step.result);
    if (reduce && acc >= 0) {
      // Lanes past the row's end hold garbage: replace them by the identity before accumulating.
      let v = result;
      if (lanes < 4) {
        f.get(result);
        identity(f, reduce, step.dtype);
        f.v128i32(laneMask(lanes)).simd(Simd.v128_bitselect).set(tmp);
        v = tmp;
      }
      if (positions) {
        f.get(accAt).get(at).get(acc).get(v).simd(Simd.f32x4_gt).simd(Simd.v128_bitselect).set(accAt);
        f.get(at).v128i32([4, 4, 4, 4]).simd(Simd.i32x4_add).set(at);
      }
      combine(f, reduce, step.dtype, acc, v);
      f.set(acc);
      return;
    }
    // What was known of the bytes this store overwrites is stale.
    for (const other of [...known.keys()]) if (other.startsWith(`${store.base} `)) known.delete(other);
    const scatter = innerStride(store);
    elementAddress(store, scatter);
    f.set(tmpAddr);
    if (scatter !== 1) {
      // A strided store (a part of a join): lane by lane.
      const bytes = scatter * BYTES[step.dtype];
      if (step.dtype === "bool") f.get(result).simd(Simd.i32x4_neg).set(tmp);
      for (let lane = 0; lane < lanes; lane++) {
        f.get(tmpAddr).get(step.dtype === "bool" ? tmp : result);
        if (step.dtype === "bool") f.lane(Simd.i32x4_extract_lane, lane).mem(Op.i32_store8, 0, lane * bytes);
        else f.simdMemLane(Simd.v128_store32_lane, 0, lane * bytes, lane);
      }
      return;
    }
    if (reduce) f.get(tmpAddr).simdMem(Simd.v128_load, 0).set(tmp);
    f.get(tmpAddr);
    if (reduce) combine(f, reduce, step.dtype, tmp, result);
    else f.get(result);
    if (step.dtype === "bool") {
      f.simd(Simd.i32x4_neg).set(tmp);
      f.get(tmp).get(tmp).simd(Simd.i16x8_narrow_i32x4_u).set(tmp);
      f.get(tmp).get(tmp).simd(Simd.i8x16_narrow_i16x8_u).set(tmp);
      if (lanes === 4) f.get(tmp).simdMemLane(Simd.v128_store32_lane, 0, 0, 0);
      else {
        f.op(Op.drop);
        for (let lane = 0; lane < lanes; lane++) f.get(tmpAddr).get(tmp).simdMemLane(Simd.v128_store8_lane, 0, lane, lane);
      }
      return;
    }
    storePartial(f, lanes, 0);
    known.set(key(store), result);
  };

  const row = (): void => {
    for (const k of kernels) {
      k.accesses.forEach((a, i) => {
        if (innerStride(a) === 0) hoist(a, k.splats[i] as number);
      });
    }
    if (acc >= 0) {
      identity(f, reduce as "sum" | "max", step.dtype);
      f.set(acc);
      if (positions) f.v128i32([0, 1, 2, 3]).set(at).v128i32([0, 0, 0, 0]).set(accAt);
    }
    const full = Math.floor(inner / 4);
    const tail = inner % 4;
    f.i32(0).set(j);
    if (full > 0) {
      f.block(Op.loop);
      const known = new Map<string, number>();
      for (const k of kernels) body(k, 4, known);
      f.get(j).i32(4).op(Op.i32_add).tee(j).i32(full * 4).op(Op.i32_lt_u).br(Op.br_if, 0);
      f.end();
    }
    if (tail > 0) {
      const known = new Map<string, number>();
      for (const k of kernels) body(k, tail, known);
    }
    if (acc >= 0) {
      // Horizontal reduction of the accumulator, then one read-modify-write of the output element.
      const op = reduce as "sum" | "max";
      for (const lanes of [[8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7], [4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15, 8, 9, 10, 11]]) {
        f.get(acc).get(acc).shuffle(lanes).set(tmp);
        if (positions) {
          // Keep the later of two equal maxima (and NaN if either is NaN).
          f.get(accAt).get(accAt).shuffle(lanes).set(at);
          f.get(acc).get(tmp).simd(Simd.f32x4_gt);
          f.get(acc).get(tmp).simd(Simd.f32x4_eq).get(accAt).get(at).simd(Simd.i32x4_gt_s).simd(Simd.v128_and);
          f.simd(Simd.v128_or).set(chosen);
          f.get(accAt).get(at).get(chosen).simd(Simd.v128_bitselect).set(accAt);
          f.get(acc).get(tmp).get(chosen).simd(Simd.v128_bitselect);
          f.get(acc).get(tmp).simd(Simd.f32x4_add);
          f.get(acc).get(acc).simd(Simd.f32x4_eq).get(tmp).get(tmp).simd(Simd.f32x4_eq).simd(Simd.v128_and).simd(Simd.v128_bitselect);
        } else combine(f, op, step.dtype, acc, tmp);
        f.set(acc);
      }
      rowPointer(store);
      f.set(tmpAddr);
      f.get(tmpAddr).simdMem(Simd.v128_load32_splat, 2).set(tmp);
      f.get(tmpAddr);
      combine(f, op, step.dtype, tmp, acc);
      f.simdMemLane(Simd.v128_store32_lane, 2, 0, 0);
    }
  };

  const nest = (d: number): void => {
    if (d === rank - 1) {
      for (const a of all) {
        if (rank === 1) continue;
        // row pointer = base + Σ index[k]·stride[k]·bytes
        f.i32(a.base);
        for (let k = 0; k < rank - 1; k++) {
          const bytes = (a.strides[k] as number) * BYTES[a.dtype];
          if (bytes === 0) continue;
          f.get(index[k] as number).i32(bytes).op(Op.i32_mul).op(Op.i32_add);
        }
        f.set(pointers.get(a) as number);
      }
      row();
      return;
    }
    f.repeat(shape[d] as number, (i) => {
      index[d] = i;
      nest(d + 1);
    });
  };
  if (rank > 1) for (const a of all) pointers.set(a, f.local(T.i32));
  nest(0);
}

/** Stores the first `lanes` 32-bit lanes of the v128 on the stack at the address below it (plus `offset`). */
export function storePartial(f: FunctionBuilder, lanes: number, offset: number): void {
  if (lanes === 4) f.simdMem(Simd.v128_store, 0, offset);
  else if (lanes === 2) f.simdMemLane(Simd.v128_store64_lane, 0, offset, 0);
  else if (lanes === 1) f.simdMemLane(Simd.v128_store32_lane, 0, offset, 0);
  else {
    const v = f.local(T.v128);
    const a = f.local(T.i32);
    f.set(v).set(a);
    f.get(a).get(v).simdMemLane(Simd.v128_store64_lane, 0, offset, 0);
    f.get(a).get(v).simdMemLane(Simd.v128_store32_lane, 0, offset + 8, 2);
  }
}
