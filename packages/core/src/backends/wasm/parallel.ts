// Which steps of a plan run on several threads, and how a split step is dispatched. A matrix product
// splits over its columns in multiples of 8 (a register tile's width), so each part computes whole
// tiles and every element keeps its single sum in the order of k: the same bits on any thread count.
import type { MatmulStep, Plan } from "../../compile/plan.js";
import type { Columns } from "./packed.js";
import { type Pool, cores, instanceId, threadsAvailable, workers } from "./threads.js";

/** Threads of a program: a count, or `auto` — the cores, for steps large enough to gain, and 1 when none is. */
export type Threads = number | "auto";

/** Multiply-adds below which a product runs on one thread under `auto` (measured; docs/compile.md). */
export const SPLIT_MIN = 1 << 21;

/** Column ranges of `parts` near-equal parts of a product, each a whole number of 8-wide tiles. */
function columns(n: number, parts: number): Columns[] {
  const units = Math.ceil(n / 8);
  return Array.from({ length: parts }, (_, t) => ({ from: Math.floor((t * units) / parts) * 8, to: Math.min(n, Math.floor(((t + 1) * units) / parts) * 8) }));
}

/** The thread count of a plan and the column ranges of each product it splits. */
export function splitPlan(plan: Plan, threads: Threads): { threads: number; parts: Map<MatmulStep, Columns[]> } {
  const count = Math.min(threads === "auto" ? cores() : Math.max(1, Math.floor(threads)), 64);
  const parts = new Map<MatmulStep, Columns[]>();
  if (count < 2 || !threadsAvailable()) return { threads: 1, parts };
  for (const s of plan.steps) {
    if (s.kind !== "matmul" || (threads === "auto" && s.batch * s.m * s.n * s.k < SPLIT_MIN)) continue;
    const n = Math.min(count, Math.ceil(s.n / 8));
    if (n > 1) parts.set(s, columns(s.n, n));
  }
  return { threads: parts.size > 0 ? count : 1, parts };
}

/**
 * The `parallel(job)` import of a threaded program: runs the job's part 0 here and the others on
 * the pool, or every part here where workers are unavailable or have not started yet.
 */
export function parallelRunner(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: WebAssembly.Exports, jobs: readonly number[], owner: object): (job: number) => void {
  const id = instanceId();
  const parts = jobs.map((count, j) => Array.from({ length: count }, (_, t) => exports[`j${j}_${t}`] as () => void));
  const helpers = Math.max(...jobs) - 1;
  /** The pool holding this program's instance, once loaded: it stays this program's pool, dead or alive. */
  let pool: Pool | undefined;
  return (job) => {
    const fns = parts[job] as (() => void)[];
    if (pool === undefined) {
      const p = workers(helpers);
      if (p?.ready(helpers) === true) {
        p.load(id, owner, helpers, module, memory, jobs.map((_, j) => j));
        pool = p;
      }
    }
    if (pool !== undefined) pool.run(id, job, fns.length - 1, fns[0] as () => void);
    else for (const f of fns) f();
  };
}
