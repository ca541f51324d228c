// Strided views: how a kernel reads a tensor that is a broadcast, transposition or slice of a
// stored one, without copying it.
import { stridesOf } from "../shape/shape.js";

/** Where a value lives: a storage slot of the arena and an element offset into it. */
export interface Place {
  readonly slot: number;
  readonly offset: number;
}

/** A tensor read through strides (in elements) from a place; stride 0 repeats an element. */
export interface View {
  readonly place: Place;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
}

/** The row-major view of a whole stored tensor. */
export const contiguous = (place: Place, shape: readonly number[]): View => ({ place, shape, strides: stridesOf(shape) });

/** True when the view reads its elements in row-major order without gaps (size-1 axes aside). */
export function isContiguous(v: View): boolean {
  const dense = stridesOf(v.shape);
  return v.shape.every((d, i) => d === 1 || v.strides[i] === dense[i]);
}

/** Broadcasting to `to`: new leading axes and expanded axes of size 1 get stride 0. */
export function broadcastView(v: View, to: readonly number[]): View {
  const lead = to.length - v.shape.length;
  const strides = to.map((d, i) => (i < lead || (v.shape[i - lead] === 1 && d !== 1) ? 0 : (v.strides[i - lead] as number)));
  return { place: v.place, shape: to, strides };
}

/** Output axis i is input axis perm[i]. */
export function transposeView(v: View, perm: readonly number[]): View {
  return { place: v.place, shape: perm.map((a) => v.shape[a] as number), strides: perm.map((a) => v.strides[a] as number) };
}

/** Elements start…end−1 along `axis`. */
export function sliceView(v: View, axis: number, start: number, end: number): View {
  const place = { slot: v.place.slot, offset: v.place.offset + start * (v.strides[axis] as number) };
  return { place, shape: v.shape.map((d, i) => (i === axis ? end - start : d)), strides: v.strides };
}

/**
 * The same elements in a new shape without copying, when the view allows it: each run of old axes
 * that merges into (or splits into) new axes must itself be walkable with one stride. Null when not.
 */
export function reshapeView(v: View, to: readonly number[]): View | null {
  if (v.shape.includes(0)) return isContiguous(v) ? contiguous(v.place, to) : null;
  const old = v.shape.flatMap((d, i) => (d === 1 ? [] : [{ d, s: v.strides[i] as number }]));
  const strides = to.map(() => 0);
  let i = 0;
  let j = 0;
  while (j < to.length) {
    if (to[j] === 1) {
      j++;
      continue;
    }
    // The smallest runs old[i0..i] and to[j0..j] with equal products.
    const [i0, j0] = [i, j];
    let [po, pn] = [old[i]?.d as number, to[j] as number];
    while (po !== pn) {
      if (po < pn) po *= old[++i]?.d as number;
      else pn *= to[++j] as number;
    }
    for (let k = i0; k < i; k++) if ((old[k] as { s: number }).s !== (old[k + 1] as { s: number }).s * (old[k + 1] as { d: number }).d) return null;
    let stride = (old[i] as { s: number }).s;
    for (let k = j; k >= j0; k--) {
      strides[k] = stride;
      stride *= to[k] as number;
    }
    i++;
    j++;
  }
  return { place: v.place, shape: to, strides };
}
