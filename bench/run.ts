// `pnpm bench`: every workload on typegrad and its peers in one run, then the comparison table.
// Options: --quick (short runs, for a smoke test), --only <text> (workloads whose name contains
// it; repeatable), --skip <framework> (repeatable).
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import type { Contender } from "./contender.js";
import { type Budget, type Figure, type Framework, type Row, defaultBudget, relaxedSimd, table } from "./harness.js";
import { jaxPeer } from "./peers/jax.js";
import { tfjsCpu, tfjsWasm } from "./peers/tfjs.js";
import { engine, typegrad } from "./typegrad.js";
import { gemms, mlps, peersRun, regressionSteps } from "./workloads.js";

const { values: opts } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    only: { type: "string", multiple: true, default: [] },
    skip: { type: "string", multiple: true, default: [] },
  },
});

const budget: Budget = opts.quick ? { seconds: 0.05, repeats: 3, warmup: 1 } : defaultBudget;
/** Regression steps: the full 20,000 everywhere (even the slowest peer needs under a minute), so the final MSEs compare. */
const steps = opts.quick ? 2000 : regressionSteps;

const contenders: Contender[] = [typegrad, tfjsWasm, tfjsCpu, jaxPeer].filter((c) => !opts.skip.includes(c.name));
const wanted = (workload: string): boolean => opts.only.length === 0 || opts.only.some((o) => workload.toLowerCase().includes(o.toLowerCase()));

const cpu = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1] ?? "unknown CPU";
console.log(`# typegrad benchmarks\n`);
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(", ");
console.log(`Node ${process.version}, ${cpu}; relaxed SIMD ${relaxedSimd() ? "available" : "not available"}; typegrad programs run on the ${engine()} backend; load average ${load()}.\n`);

for (const c of contenders) await c.setup();

const rows: Row[] = [];

/** Measures one workload on every contender that implements it, printing progress. */
async function row(workload: string, unit: string, higherIsBetter: boolean, run: (c: Contender) => Figure | undefined | Promise<Figure | undefined>): Promise<void> {
  if (!wanted(workload)) return;
  const figures: Partial<Record<Framework, Figure>> = {};
  for (const c of contenders) {
    await c.activate?.();
    globalThis.gc?.();
    const t0 = performance.now();
    const fig = await run(c);
    if (fig === undefined) continue;
    figures[c.name] = fig;
    console.log(`${workload} — ${c.name}: ${fig.value.toPrecision(4)} ${unit}${fig.detail ? ` (${fig.detail})` : ""} [${((performance.now() - t0) / 1000).toFixed(1)} s]`);
  }
  rows.push({ workload, unit, higherIsBetter, figures });
}

/** typegrad runs every workload; the peers those `peersRun` allows. */
const runs = (c: Contender, w: Parameters<typeof peersRun>[0]): boolean => c.name === "typegrad" || peersRun(w);
for (const g of gemms) await row(g.name, "GFLOP/s", true, (c) => (runs(c, g) ? c.gemm(g, budget) : undefined));
await row("Regression 1-2-5-1, Adam, 1 sample/step", "steps/s", true, (c) => c.regression(steps));
for (const m of mlps) await row(m.name, "samples/s", true, (c) => (runs(c, m) ? c.mlp(m, budget) : undefined));
await row("Regression, nn's step program run bare (set/execute)", "steps/s", true, (c) => (wanted("Regression 1-2-5-1") ? c.overhead?.() : undefined));
await row("Regression net, predict one sample", "µs", false, (c) => (wanted("Regression 1-2-5-1") ? c.predictOne?.(budget) : undefined));
/** The real-data rows train for seconds to minutes: --quick leaves them out unless --only picks them. */
const realData = !opts.quick || opts.only.length > 0;
if (realData) {
  await row("Fashion-MNIST 784-128-10, 5 epochs through fit", "samples/s", true, (c) => c.fashionMnist?.());
  await row("MNIST embedded subset, the example's model to 95% test accuracy", "s", false, (c) => c.mnistTo95?.());
  await row("Fashion-MNIST 784-512-256-10 to 89.5% test accuracy", "s", false, (c) => c.fashionTo895?.());
}
await row("Compile a training step, regression", "ms", false, (c) => c.stepCompile?.("regression", budget));
for (const m of mlps.filter((w) => w.threads === 1)) await row(`Compile a training step, ${m.name.replace(/ train.*/, "")}`, "ms", false, (c) => c.stepCompile?.(m, budget));

/** Other areas' benchmarks, each a module exporting a function that returns report lines. */
const extras: [string, string][] = [
  ["./datasets.bench.js", "benchBatching"],
  ["./graph.bench.js", "benchGraphBuild"],
  ["./typecheck.bench.js", "benchTypecheck"],
  ["./checkpoint.bench.js", "benchSafetensorsHeader"],
];
const extraLines: string[] = [];
for (const [file, fn] of extras) {
  if (!wanted(fn)) continue;
  const mod: Record<string, unknown> | undefined = await import(file).catch((e: unknown) => {
    if (e instanceof Error && "code" in e && e.code === "ERR_MODULE_NOT_FOUND" && e.message.includes(file.slice(2, -3))) return undefined;
    throw e;
  });
  const bench = mod?.[fn];
  if (typeof bench !== "function") continue;
  const lines: unknown = await bench();
  if (Array.isArray(lines)) extraLines.push(...lines.map(String));
}

if (rows.length) console.log(`\n${table(rows)}\n`);
if (extraLines.length) console.log(`${extraLines.join("\n")}\n`);
console.log(`Ratios: typegrad over the best peer, > 1 means typegrad is faster. Load average at the end: ${load()} (figures from a loaded machine understate everyone).`);
