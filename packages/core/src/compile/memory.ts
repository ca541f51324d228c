// Liveness-based memory planning: every slot gets a byte range of one arena. Inputs and constants
// keep theirs for the program's lifetime; an intermediate's range is reused once its last reader
// has run; outputs live to the end of a run.
import type { DType } from "../tensor/dtype.js";
import { type Plan, type Slot, stepReads, stepWrites } from "./plan.js";

/** Bytes per element as stored in the arena. */
export const BYTES: { readonly [D in DType]: number } = { f32: 4, f64: 8, i32: 4, bool: 1 };

/** Byte alignment of every slot: one SIMD vector. */
const ALIGN = 16;
/** Kernels may read (never write) up to this many bytes past the end of a tensor. */
export const SLACK = 64;

/** Byte offsets of the slots and the arena's size. */
export interface Layout {
  readonly offsets: readonly number[];
  readonly size: number;
}

const aligned = (n: number): number => Math.ceil(n / ALIGN) * ALIGN;

/** First and last step that touches each root slot (outputs live to the end of a run); untouched slots have first = Infinity. */
function liveRanges(p: Plan, root: (s: number) => number): { first: number[]; last: number[] } {
  const first = new Array<number>(p.slots.length).fill(Infinity);
  const last = new Array<number>(p.slots.length).fill(-1);
  p.steps.forEach((step, i) => {
    for (const w of stepWrites(step).map(root)) {
      first[w] = Math.min(first[w] as number, i);
      last[w] = Math.max(last[w] as number, i);
    }
    for (const r of stepReads(step)) last[root(r)] = Math.max(last[root(r)] as number, i);
  });
  for (const o of p.outputs.values()) last[root(o.slot)] = p.steps.length;
  return { first, last };
}

/** First-fit allocation of byte ranges above `end`, with free ranges [start, end) kept sorted and coalesced. */
class Arena {
  private readonly free: [number, number][] = [];
  constructor(public end: number) {}

  allocate(bytes: number): number {
    const hole = this.free.findIndex(([a, b]) => b - a >= bytes);
    if (hole < 0) {
      this.end += bytes;
      return this.end - bytes;
    }
    const [a, b] = this.free[hole] as [number, number];
    if (b - a === bytes) this.free.splice(hole, 1);
    else this.free[hole] = [a + bytes, b];
    return a;
  }

  release(a: number, bytes: number): void {
    const free = this.free;
    free.push([a, a + bytes]);
    free.sort((x, y) => x[0] - y[0]);
    for (let i = free.length - 1; i > 0; i--) {
      const prev = free[i - 1] as [number, number];
      const cur = free[i] as [number, number];
      if (prev[1] === cur[0]) {
        prev[1] = cur[1];
        free.splice(i, 1);
      }
    }
  }
}

/** Assigns byte ranges: permanent slots first, then intermediates first-fit over their live ranges. */
export function layout(p: Plan): Layout {
  const root = (s: number): number => p.slots[s]?.mergedInto ?? s;
  const { first, last } = liveRanges(p, root);
  const bytesOf = (i: number): number => {
    const s = p.slots[i] as Slot;
    return aligned(s.size * BYTES[s.dtype]);
  };
  const offsets = new Array<number>(p.slots.length).fill(0);
  let top = 0;
  p.slots.forEach((s, i) => {
    if (s.kind === "temp") return;
    offsets[i] = top;
    top += bytesOf(i);
  });
  // Per step: allocate what it writes, then release what it read for the last time.
  const arena = new Arena(top);
  const born = p.steps.map((): number[] => []);
  const dead = p.steps.map((): number[] => []);
  p.slots.forEach((s, i) => {
    if (s.kind !== "temp" || root(i) !== i || first[i] === Infinity) return;
    born[first[i] as number]?.push(i);
    dead[last[i] as number]?.push(i);
  });
  p.steps.forEach((_, step) => {
    for (const i of born[step] as number[]) offsets[i] = arena.allocate(bytesOf(i));
    for (const i of dead[step] as number[]) arena.release(offsets[i] as number, bytesOf(i));
  });
  p.slots.forEach((s, i) => {
    if (s.mergedInto !== undefined) offsets[i] = offsets[s.mergedInto] as number;
  });
  return { offsets, size: arena.end + SLACK };
}
