import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Expr, type OpName, type Sampler, type Tensor, type DType,
  add, compile, evaluate, exp, greater, input, matmul, max, maximum, mul, neg, primitives, reshape, sigmoid, sub, sum, tanh,
  tensor, transpose, where, broadcastTo, key, dropoutMask, ValueError, ShapeError, abs, slice, concat,
} from "../src/index.js";
import { apply } from "../src/graph/primitive.js";
import type { InputSpec } from "../src/graph/primitive.js";

/** A seeded sampler (mulberry32), so every case is reproducible. */
function sampler(seed: number): Sampler & { uniform(): number } {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(uniform() * (max - min + 1));
  return {
    uniform,
    int,
    pick: <T>(choices: readonly T[]): T => choices[int(0, choices.length - 1)] as T,
    shape: (minRank, maxRank) => Array.from({ length: int(minRank, maxRank) }, () => int(1, 4)),
  };
}

/** Values for one input spec: integers for i32, 0/1 for bool, floats away from `avoid` (and distinct if asked). */
function values(s: ReturnType<typeof sampler>, spec: InputSpec, dtype: DType): Tensor {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const [lo, hi] = [spec.min ?? -3, spec.max ?? 3];
  const data: number[] = [];
  while (data.length < size) {
    if (dtype === "bool") data.push(s.int(0, 1));
    else if (dtype === "i32") data.push(s.int(Math.ceil(lo), Math.floor(hi)));
    else {
      const v = Math.fround(lo + (hi - lo) * s.uniform());
      if ((spec.avoid ?? []).some((a) => Math.abs(v - a) < 0.1)) continue;
      if (spec.distinct && data.some((d) => Math.abs(d - v) < 0.1)) continue;
      data.push(v);
    }
  }
  return tensor(data, { shape: [...spec.shape], dtype });
}

/** |a − b| ≤ atol + rtol·|b| elementwise, with NaN = NaN and equal infinities. */
function expectClose(got: Tensor, want: Tensor, what: string, rtol = 2e-5, atol = 1e-5): void {
  expect(got.dtype, what).toBe(want.dtype);
  expect(got.shape, what).toEqual(want.shape);
  for (let i = 0; i < want.size; i++) {
    const [a, b] = [got.data[i] as number, want.data[i] as number];
    if (Number.isNaN(b) || !Number.isFinite(b)) {
      expect(Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || a === b, `${what} [${i}]: ${a} vs ${b}`).toBe(true);
    } else if (Math.abs(a - b) > atol + rtol * Math.abs(b)) {
      expect.fail(`${what} [${i}]: compiled ${a}, interpreted ${b}`);
    }
  }
}

const OPS = Object.keys(primitives) as OpName[];

describe("compile: every primitive, compiled vs interpreted", () => {
  for (const dtype of ["f32", "f64"] as const) {
    it.each(OPS.filter((op) => op !== "input"))(`%s (${dtype})`, (op) => {
      const s = sampler(op.length * 7919 + (dtype === "f32" ? 1 : 2));
      for (let c = 0; c < 12; c++) {
        const prim = primitives[op];
        const tc = prim.domain(s) as { inputs: readonly InputSpec[]; params: never };
        const leaves = tc.inputs.map((spec, i) => input(`a${i}`, [...spec.shape], spec.dtype ?? dtype));
        const node = apply(prim as never, leaves, tc.params);
        const bindings = Object.fromEntries(leaves.map((x, i) => [`a${i}`, values(s, tc.inputs[i] as InputSpec, x.dtype)]));
        const want = evaluate(node, bindings);
        const inputs = Object.fromEntries(leaves.map((x, i) => [`a${i}`, x]));
        for (const backend of ["wasm", "js"] as const) {
          const got = compile(inputs, { y: node }, { backend }).run(bindings).y;
          if (backend === "js") expectClose(got, want, `${op} case ${c} on js`, 0, 0);
          else expectClose(got, want, `${op} case ${c} on wasm`);
        }
      }
    });
  }
});
