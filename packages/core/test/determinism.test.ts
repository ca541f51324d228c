import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const script = fileURLToPath(new URL("determinism/matmulBits.ts", import.meta.url));

/** Runs the script in a fresh Node process with extra engine flags and parses its report. */
function run(flags: readonly string[]): { relaxedSimd: boolean; plain: string; relaxed: string } {
  const out = execFileSync(process.execPath, [...flags, "--import", "tsx", "--conditions=@typegrad/source", script], { encoding: "utf8" });
  return JSON.parse(out) as { relaxedSimd: boolean; plain: string; relaxed: string };
}

describe("determinism across engines", () => {
  it("gives the same bits whether or not the engine offers relaxed SIMD, unless relaxed kernels are asked for", () => {
    const without = run(["--no-experimental-wasm-relaxed-simd"]);
    const withRelaxed = run(["--experimental-wasm-relaxed-simd"]);
    expect(without.relaxedSimd).toBe(false);
    expect(withRelaxed.relaxedSimd).toBe(true);
    expect(withRelaxed.plain).toBe(without.plain);
    // Without the engine feature, asking for relaxed kernels changes nothing.
    expect(without.relaxed).toBe(without.plain);
  });
});
