import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("relaxed/fitBits.ts", import.meta.url));
interface Run {
  readonly loss: number;
  readonly bits: string;
}

/** Runs the script in a fresh Node process with extra engine flags and parses its report. */
function run(flags: readonly string[]): { relaxedSimd: boolean; plain: Run; relaxed: Run } {
  const out = execFileSync(process.execPath, [...flags, "--import", "tsx", "--conditions=@typegrad/source", script], { encoding: "utf8" });
  return JSON.parse(out) as { relaxedSimd: boolean; plain: Run; relaxed: Run };
}

describe("fit's relaxedSimd option", () => {
  it("reaches the step's kernels where the engine has relaxed SIMD, and changes nothing by default", () => {
    const without = run(["--no-experimental-wasm-relaxed-simd"]);
    const withRelaxed = run(["--experimental-wasm-relaxed-simd"]);
    expect([without.relaxedSimd, withRelaxed.relaxedSimd]).toEqual([false, true]);
    // By default the bits do not depend on the engine; without the feature the option changes nothing.
    expect(withRelaxed.plain).toEqual(without.plain);
    expect(without.relaxed).toEqual(without.plain);
    // With it, the products round once per multiply-add: other bits, the same training.
    expect(withRelaxed.relaxed.bits).not.toBe(withRelaxed.plain.bits);
    expect(withRelaxed.relaxed.loss).toBeCloseTo(withRelaxed.plain.loss, 4);
  });
});
