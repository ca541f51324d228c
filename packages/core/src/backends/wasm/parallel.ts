// Which steps of a plan run on several threads, and how a split step is dispatched. A matrix product
// splits over its columns in multiples of 8 (a register tile's width), so each chunk computes whole
// tiles and every element keeps its single sum in the order of k; an elementwise loop splits over
// its outermost axis. Reductions never split along a reduced axis, so the bits never depend on the
// thread count, nor on which thread runs which chunk.
import type { FusedStep, LoopStep, MatmulStep, Plan } from "../../compile/plan.js";
import type { View } from "../../compile/view.js";
import type { Columns } from "./packed.js";
import { type Pool, cores, instanceId, threadsAvailable, workers } from "./threads.js";
import { sizeOf } from "../../shape/shape.js";

/** Threads of a program: at most a count, or `auto` — the cores; either way only for steps large enough to gain, and 1 when none is. */
export type Threads = number | "auto";

/** Which steps split: those large enough to gain (`worth`), or every one that can (`every`: tests of the split code use it). */
export type Splitting = "worth" | "every";

/**
 * Multiply-adds below which a product runs on one thread: about 3 µs of work, against ~0.2 µs for
 * a round trip to a spinning worker (measured; docs/compile.md).
 */
export const SPLIT_MIN = 1 << 16;

/** Elements below which an elementwise loop runs on one thread: about 2 µs of work or less (measured; docs/compile.md). */
export const LOOP_MIN = 1 << 13;

/** A fused step restricted to [from, to) along `axis` of its iteration shape. */
function slice(s: FusedStep, axis: number, from: number, to: number): FusedStep {
  const cut = (v: View): View => ({ place: { slot: v.place.slot, offset: v.place.offset + from * (v.strides[axis] as number) }, shape: v.shape.map((d, i) => (i === axis ? to - from : d)), strides: v.strides });
  return { ...s, shape: s.shape.map((d, i) => (i === axis ? to - from : d)), loads: s.loads.map((l) => ({ ...l, view: cut(l.view) })), store: cut(s.store) };
}

/**
 * An elementwise loop (one fused step or a multi-output loop) cut into up to `count` loops over
 * ranges of its outermost axis longer than 1 (in multiples of 4 when that axis is the innermost,
 * so only the last part has a partial vector), or undefined when it should stay whole: a
 * reduction, stores narrower than 32 bits (a vector store must not cross into another part), or
 * too small.
 */
function splitLoop(parts: readonly FusedStep[], most: number, every: boolean): FusedStep[][] | undefined {
  const first = parts[0] as FusedStep;
  const size = sizeOf(first.shape);
  if (parts.some((p) => p.reduce !== null || (p.dtype !== "f32" && p.dtype !== "i32")) || size < (every ? 8 : LOOP_MIN)) return undefined;
  const axis = first.shape.findIndex((d) => d > 1);
  const unit = axis === first.shape.length - 1 ? 4 : 1;
  const units = Math.ceil((first.shape[axis] as number) / unit);
  const count = Math.min(most, units);
  if (count < 2) return undefined;
  const at = (t: number): number => Math.min(first.shape[axis] as number, Math.floor((t * units) / count) * unit);
  return Array.from({ length: count }, (_, t) => parts.map((p) => slice(p, axis, at(t), at(t + 1))));
}

/** Column ranges of `parts` near-equal parts of a product, each a whole number of 8-wide tiles. */
function columns(n: number, parts: number): Columns[] {
  const units = Math.ceil(n / 8);
  return Array.from({ length: parts }, (_, t) => ({ from: Math.floor((t * units) / parts) * 8, to: Math.min(n, Math.floor(((t + 1) * units) / parts) * 8) }));
}

/** How a plan runs on threads: the column ranges of each product it splits, the per-thread loops of each loop it splits. */
export interface Split {
  readonly threads: number;
  readonly parts: Map<MatmulStep, Columns[]>;
  readonly loops: Map<FusedStep | LoopStep, FusedStep[][]>;
}

/**
 * Chunks per thread of a split step. Threads take chunks as they come free, so a thread that starts
 * late or runs slowly (another process on its core) takes fewer; more chunks balance finer but
 * cost a claim each and stream a GEMM's shared operand once more each, so a chunk also holds at
 * least half a threshold's work (a step just past a threshold is cut in two).
 */
const CHUNKS = 4;

/** Chunks of a step of `work` (multiply-adds or elements) on `count` threads, past a threshold of `least`. */
const chunksOf = (count: number, work: number, least: number, every: boolean): number => Math.min(count * CHUNKS, every ? Infinity : Math.floor(work / (least / 2)));

/** The thread count of a plan and how each step to split is cut into chunks. */
export function splitPlan(plan: Plan, threads: Threads, splitting: Splitting = "worth"): Split {
  const count = Math.min(threads === "auto" ? cores() : Math.max(1, Math.floor(threads)), 64);
  const split: Split = { threads: 1, parts: new Map(), loops: new Map() };
  if (count < 2 || !threadsAvailable()) return split;
  const every = splitting === "every";
  for (const s of plan.steps) {
    if (s.kind === "fused" || s.kind === "loop") {
      const parts = s.kind === "loop" ? s.parts : [s];
      const loops = splitLoop(parts, chunksOf(count, sizeOf((parts[0] as FusedStep).shape), LOOP_MIN, every), every);
      if (loops !== undefined) split.loops.set(s, loops);
    }
    if (s.kind !== "matmul") continue;
    const work = s.batch * s.m * s.n * s.k;
    if (!every && work < SPLIT_MIN) continue;
    // A chunk of at least 32 columns (8 with `every`): each chunk streams all of A once.
    const n = Math.min(chunksOf(count, work, SPLIT_MIN, every), Math.ceil(s.n / (every ? 8 : 32)));
    if (n > 1) split.parts.set(s, columns(s.n, n));
  }
  return { ...split, threads: split.parts.size + split.loops.size > 0 ? count : 1 };
}

/**
 * The `parallel(job)` import of a threaded program: runs the job's part 0 here and the others on
 * the pool, or every part here where workers are unavailable or have not started yet.
 */
export function parallelRunner(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: WebAssembly.Exports, jobs: readonly number[], threads: number, owner: object): (job: number) => void {
  const id = instanceId();
  const parts = jobs.map((count, j) => Array.from({ length: count }, (_, t) => exports[`j${j}_${t}`] as () => void));
  const helpers = threads - 1;
  /** The pool holding this program's instance, once loaded: it stays this program's pool, dead or alive. */
  let pool: Pool | undefined;
  return (job) => {
    const fns = parts[job] as (() => void)[];
    if (pool === undefined) {
      const p = workers(helpers);
      if (p?.ready(helpers) === true) {
        p.load(id, owner, helpers, module, memory, jobs);
        pool = p;
      }
    }
    if (pool !== undefined) pool.run(id, job, helpers, fns);
    else for (const f of fns) f();
  };
}
