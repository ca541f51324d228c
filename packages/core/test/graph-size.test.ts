// No blow-up: gradient graphs grow linearly with the forward graph (shared subexpressions stay
// shared) and build quickly. The bounds are generous; bench/graph.bench.ts measures the real times.
import { describe, expect, it } from "vitest";
import { topoSort } from "../src/index.js";
import { chain, residualMlp, withGradient } from "../../../bench/graph.bench.js";

/**
 * The least CPU time (ms) of `attempts` builds. CPU time rather than wall time, so that other
 * processes on a shared machine do not count; each attempt gets a fresh tag, so its nodes are new
 * (hash-consing would return the previous attempt's).
 */
function best<T>(attempts: number, build: (tag: string) => T): { ms: number; result: T } {
  let ms = Infinity;
  let result: T | undefined;
  for (let a = 0; a < attempts; a++) {
    const t0 = process.cpuUsage();
    result = build(`attempt${a}.${Math.random()}`);
    const { user, system } = process.cpuUsage(t0);
    ms = Math.min(ms, (user + system) / 1000);
  }
  return { ms, result: result as T };
}

describe("graph size and build time", () => {
  it("builds a 1,000-node graph and its gradient in under 50 ms", () => {
    const { ms, result } = best(7, (tag) => withGradient(chain(143, tag)));
    const forward = topoSort([result.loss]).length;
    expect(forward).toBeGreaterThanOrEqual(1000);
    expect(topoSort([result.loss, ...result.grads]).length).toBeLessThanOrEqual(3 * forward);
    expect(ms).toBeLessThan(50);
  });

  it("keeps the gradient of a 100-block residual MLP within 5× the forward graph, built in under 200 ms", () => {
    const { ms, result } = best(3, (tag) => withGradient(residualMlp(100, tag)));
    const forward = topoSort([result.loss]).length;
    expect(topoSort([result.loss, ...result.grads]).length).toBeLessThanOrEqual(5 * forward);
    expect(ms).toBeLessThan(200);
  });
});
