// take (numpy's): for each index along the axis, copy one block of the trailing axes.
import { type FunctionBuilder, Op, T } from "./emitter.js";

/** Sizes of a take: `outer` blocks before the axis, `n` along it, `count` indices, `inner` bytes per block. */
export interface TakeShape {
  readonly outer: number;
  readonly n: number;
  readonly count: number;
  readonly inner: number;
  readonly axis: number;
  /** Which take this is, passed to `fail` so that the error names the right op. */
  readonly id: number;
}

/** Emits y[o, k] = x[o, ids[k]] (blocks of `inner` bytes); an index outside [0, n) calls `fail(i, k, n, id)`. */
export function emitTake(f: FunctionBuilder, at: { x: number; ids: number; y: number }, s: TakeShape, fail: number): void {
  const [i, src, dst] = [f.local(T.i32), f.local(T.i32), f.local(T.i32)];
  f.i32(at.x).set(src).i32(at.y).set(dst);
  f.repeat(s.outer, () => {
    f.repeat(s.count, (k) => {
      f.i32(at.ids).get(k).i32(2).op(Op.i32_shl).op(Op.i32_add).mem(Op.i32_load, 2).set(i);
      // Unsigned comparison: negative indices are out of range too.
      f.get(i).i32(s.n).op(Op.i32_ge_u).block(Op.if);
      f.get(i).get(k).i32(s.n).i32(s.id).call(fail);
      f.end();
      f.get(dst).get(src).get(i).i32(s.inner).op(Op.i32_mul).op(Op.i32_add).i32(s.inner).memoryCopy();
      f.get(dst).i32(s.inner).op(Op.i32_add).set(dst);
    });
    f.get(src).i32(s.n * s.inner).op(Op.i32_add).set(src);
  });
}
