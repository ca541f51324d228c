// Timing and reporting shared by every benchmark: warm-up, repeated timed runs, the median, and
// the comparison table.

/** How long to time a workload: about `seconds` per timed run, `repeats` runs after `warmup` calls. */
export interface Budget {
  readonly seconds: number;
  readonly repeats: number;
  readonly warmup: number;
}

/** The default budget: 3 warm-up calls, then 5 runs of about 0.25 s each. */
export const defaultBudget: Budget = { seconds: 0.25, repeats: 5, warmup: 3 };

/**
 * A timing: the median seconds per call by the wall clock and by this process's CPU time (which a
 * loaded machine inflates less), and how many calls the shortest run made.
 */
export interface Timing {
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly iterations: number;
  readonly repeats: number;
}

/**
 * Times `call`: warm-up calls, then repeated runs of as many calls as fill the budget's seconds
 * (sized from the last warm-up call, at least one); returns the median of the runs' means.
 */
export function measure(call: () => unknown, budget: Budget = defaultBudget): Timing {
  let last = 0;
  for (let i = 0; i < Math.max(1, budget.warmup); i++) {
    const t0 = performance.now();
    call();
    last = performance.now() - t0;
  }
  const iterations = Math.max(1, Math.round((budget.seconds * 1000) / Math.max(last, 1e-3)));
  const runs: number[] = [];
  const cpu: number[] = [];
  const cap = 4 * budget.seconds * 1000;
  let calls = iterations;
  for (let r = 0; r < budget.repeats; r++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let i = 0;
    // A run stops early if calls got slower than the warm-up promised (a loaded machine, GC).
    while (i < iterations && (i === 0 || performance.now() - t0 < cap)) {
      call();
      i++;
    }
    calls = Math.min(calls, i);
    runs.push((performance.now() - t0) / 1000 / i);
    cpu.push(cpuSeconds(c0) / i);
  }
  return { seconds: median(runs), cpuSeconds: median(cpu), iterations: calls, repeats: budget.repeats };
}

/**
 * Times a fixed number of training steps: `warmup` untimed steps first, the rest in `chunks`
 * timed chunks; returns the median chunk's steps per second.
 */
export function measureSteps(steps: number, step: () => unknown, warmup: number, chunks = 9): { stepsPerSecond: number; cpuStepsPerSecond: number; timed: number } {
  for (let i = 0; i < warmup; i++) step();
  const timed = steps - warmup;
  const rates: number[] = [];
  const cpuRates: number[] = [];
  for (let c = 0; c < chunks; c++) {
    const n = Math.floor((timed * (c + 1)) / chunks) - Math.floor((timed * c) / chunks);
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) step();
    rates.push(n / ((performance.now() - t0) / 1000));
    cpuRates.push(n / cpuSeconds(c0));
  }
  return { stepsPerSecond: median(rates), cpuStepsPerSecond: median(cpuRates), timed };
}

/** This process's CPU seconds (user + system, all threads) since `from`. */
function cpuSeconds(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return Math.max(d.user + d.system, 1) / 1e6;
}

/** The median of a non-empty list. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** The frameworks every workload is measured on, in table order. */
export const frameworks = ["typegrad", "tfjs-wasm", "tfjs-cpu", "jax-js"] as const;
/** One framework's column. */
export type Framework = (typeof frameworks)[number];

/** A measured figure, with an optional detail (how it was measured, a sanity value) listed under the table. */
export interface Figure {
  readonly value: number;
  readonly detail?: string;
}

/** One table row: a workload, its unit, and a figure per framework that ran it. */
export interface Row {
  readonly workload: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  readonly figures: Partial<Record<Framework, Figure>>;
}

/** A figure for a table cell: thousands separated, three significant digits below 100. */
export const fmt = (v: number): string => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v >= 10 ? v.toFixed(1) : v.toPrecision(3));

/** typegrad's figure over the best peer's, oriented so that > 1 means typegrad is better. */
export function ratio(row: Row): string {
  const ours = row.figures.typegrad?.value;
  const peers = frameworks.slice(1).flatMap((f) => (row.figures[f] ? [[f, row.figures[f].value] as const] : []));
  if (ours === undefined || peers.length === 0) return "–";
  const [name, best] = peers.reduce((a, b) => ((row.higherIsBetter ? b[1] > a[1] : b[1] < a[1]) ? b : a));
  const r = row.higherIsBetter ? ours / best : best / ours;
  return `${r.toFixed(2)}× (${name})`;
}

/** The comparison table as Markdown. */
export function table(rows: readonly Row[]): string {
  const head = ["workload", ...frameworks, "ratio vs best peer"];
  const lines = rows.map((row) => [
    `${row.workload} (${row.unit})`,
    ...frameworks.map((f) => {
      const fig = row.figures[f];
      return fig ? fmt(fig.value) : "–";
    }),
    ratio(row),
  ]);
  const all = [head, ...lines];
  const widths = head.map((_, i) => Math.max(...all.map((l) => (l[i] as string).length)));
  const show = (l: readonly string[]): string => `| ${l.map((c, i) => c.padEnd(widths[i] as number)).join(" | ")} |`;
  return [show(head), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...lines.map(show)].join("\n");
}

/** A small seeded generator (mulberry32), so every framework starts from the same numbers. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n` floats uniform in [lo, hi) from `next`. */
export function uniformArray(next: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}

/** Whether this engine validates relaxed SIMD (a function computing f32x4.relaxed_madd of three constants). */
export function relaxedSimd(): boolean {
  const v128 = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];
  const body = [0x00, ...v128, ...v128, ...v128, 0xfd, 0x85, 0x02, 0x0b];
  const code = [0x01, body.length, ...body];
  const bytes = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, code.length, ...code];
  return WebAssembly.validate(new Uint8Array(bytes));
}
