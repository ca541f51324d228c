// Helpers for the PyTorch fixtures: tensors from {shape, data}, and closeness checks.
import { readFileSync } from "node:fs";
import { type FloatDType, Tensor, tensor } from "@typegrad/core";
import { expect } from "vitest";

export interface Stored {
  readonly shape: number[];
  readonly data: number[];
}

/** Reads a fixture file by name. */
export function fixture<T = Record<string, unknown>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/torch/${name}`, import.meta.url), "utf8")) as T;
}

/** A stored tensor as a typegrad tensor (f64 unless asked otherwise). */
export const fromStored = (s: Stored, dtype: FloatDType | "i32" = "f64"): Tensor => tensor(s.data, { shape: s.shape, dtype });

/** A state_dict of stored tensors as a flat record of tensors. */
export const stateDictOf = (sd: Record<string, Stored>, dtype: FloatDType = "f64"): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(sd).map(([k, v]) => [k, fromStored(v, dtype)]));

/** |a − b| ≤ rtol·|b| + atol elementwise, reporting the worst element. */
export function expectClose(actual: Tensor | readonly number[] | number, expected: Stored | readonly number[] | number, rtol: number, atol = 0, what = ""): void {
  const a = typeof actual === "number" ? [actual] : actual instanceof Tensor ? Array.from(actual.data) : actual;
  const b = typeof expected === "number" ? [expected] : "data" in expected ? expected.data : expected;
  if (!(actual instanceof Tensor) || typeof expected === "number" || !("shape" in expected)) expect(a.length, what).toBe(b.length);
  else expect([...actual.shape], what).toEqual(expected.shape);
  let worst = { i: -1, excess: 0 };
  a.forEach((x, i) => {
    const y = b[i] as number;
    const excess = Math.abs(x - y) - (rtol * Math.abs(y) + atol);
    if (!(excess <= worst.excess) || Number.isNaN(x)) worst = { i, excess: Number.isNaN(x) ? Infinity : excess };
  });
  if (worst.i >= 0) expect.fail(`${what}: element ${worst.i} is ${a[worst.i]}, expected ${b[worst.i]} (rtol ${rtol}, atol ${atol})`);
}
