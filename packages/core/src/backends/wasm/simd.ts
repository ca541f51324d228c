// SIMD helpers shared by the kernels: lane masks, the identity vectors, partial stores.
import { type FunctionBuilder, Simd, T } from "./emitter.js";

/** A v128 as four 32-bit lanes. */
export type Lanes = [number, number, number, number];

/** The lane mask with the first `n` 32-bit lanes set (all ones), the rest zero. */
export const laneMask = (n: number): Lanes => [0, 1, 2, 3].map((l) => (l < n ? -1 : 0)) as Lanes;

/** All lanes zero (0 in i32 and f32). */
export const ZERO: Lanes = [0, 0, 0, 0];

/** Every lane the least i32 (only the sign bit set): the identity of an i32 max, and the f32 sign mask. */
export const SIGN_BITS: Lanes = [-0x80000000, -0x80000000, -0x80000000, -0x80000000];

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
