// Runs one typegrad training workload for a while, for a profiler to watch:
//   tsx --conditions=@typegrad/source --cpu-prof bench/profile.ts mlp1 10
// Workloads: regression, mlp1 (784-128-10), mlp2 (784-512-512-10), mlp1x2 and mlp2x2 (the same on
// two threads; a profile per thread), each optionally with `-compile` (build, differentiate and
// compile the step again and again); then seconds (default 5).
import { mlps } from "./workloads.js";
import { compileLoop, trainingLoop } from "./typegrad.js";

const [which = "mlp1", seconds = "5"] = process.argv.slice(2);
const name = which.replace(/-compile$/, "");
const workload = name === "regression" ? name : mlps[["mlp1", "mlp2", "mlp1x2", "mlp2x2"].indexOf(name)];
if (workload === undefined) throw new Error(`profile: expected regression, mlp1, mlp2, mlp1x2 or mlp2x2 (optionally with -compile), got ${which}`);
const step = which.endsWith("-compile") ? compileLoop(workload) : describedLoop(workload);

/** The training loop, after printing its schedule (kernel i of the schedule is a `wasm-function` in the profile). */
function describedLoop(w: NonNullable<typeof workload>): () => number {
  const loop = trainingLoop(w);
  loop.step();
  console.log(loop.describe());
  return loop.step;
}
const end = performance.now() + Number(seconds) * 1000;
let steps = 0;
let loss = NaN;
while (performance.now() < end) {
  for (let i = 0; i < 100; i++) loss = step();
  steps += 100;
}
console.log(`${which}: ${steps} steps in ${seconds} s (${(steps / Number(seconds)).toFixed(0)} steps/s), last loss ${loss.toPrecision(3)}`);
