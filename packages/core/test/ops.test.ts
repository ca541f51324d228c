// Every primitive is complete: its file declares everything the compiler, the simplifier and the
// law suite read (`traits`), and the declaration is true of its evaluator and its gradient rule.
// A new op in `ops/index.ts` is checked here without a new test; a missing field fails `tsc`.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Primitive, type InputSpec, apply } from "../src/graph/primitive.js";
import { type OpName, type OpParams, type Tensor, evaluate, full, input, ones, primitives } from "../src/index.js";
import { isFloat } from "../src/tensor/dtype.js";
import { caseArbitrary } from "../src/testing/index.js";

const all = Object.entries(primitives).map(([key, prim]) => [key, prim as Primitive<OpName, OpParams[OpName]>] as const);

/** A splat inside an input's domain, away from its kinks. */
function splatFor(spec: InputSpec): Tensor {
  const dtype = spec.dtype ?? "f32";
  if (dtype === "bool") return full(spec.shape, 1, dtype);
  const [lo, hi] = [spec.min ?? -1, spec.max ?? 1];
  const c = lo + (hi - lo) * 0.37;
  return full(spec.shape, dtype === "i32" ? Math.round(c) : c, dtype);
}

const cases = (prim: Primitive<OpName, OpParams[OpName]>) => fc.sample(caseArbitrary(prim.domain), { numRuns: 20, seed: 8 });

describe("every primitive is complete", () => {
  it.each(all)("%s: is listed under its own name with consistent traits", (key, prim) => {
    expect(prim.name).toBe(key);
    const { role, cheap, splat } = prim.traits;
    if (cheap) expect(role).toBe("elementwise");
    if (role === "elementwise") expect(splat).toBe("map");
    if (role === "view") expect(splat).toBe("move");
    if (role === "leaf" || role === "reduce") expect(splat).toBe("none");
  });

  it.each(all.filter(([, p]) => p.traits.splat !== "none"))("%s: maps splats to splats as its traits say", (_, prim) => {
    for (const c of cases(prim)) {
      const values = c.inputs.map(splatFor);
      const out = evaluate(apply(prim, values.map((v, i) => input(`x${i}`, v.shape, v.dtype)), c.params), new Map(values.map((v, i) => [input(`x${i}`, v.shape, v.dtype), v])));
      const flat = out.toFlat();
      const first = prim.traits.splat === "move" ? (values[0] as Tensor).toFlat()[0] : flat[0];
      for (const v of flat) expect(Object.is(v, first)).toBe(true);
    }
  });

  it.each(all.filter(([, p]) => !p.traits.differentiable && p.traits.role !== "leaf"))("%s: passes no gradient, as its traits say", (_, prim) => {
    for (const c of cases(prim)) {
      const xs = c.values.map((v, i) => input(`x${i}`, v.shape, v.dtype));
      const out = apply(prim, xs, c.params);
      const outGrad = input("g", out.shape, out.dtype);
      const wants = xs.map((x) => isFloat(x.dtype));
      const bindings = new Map([...xs.map((x, i) => [x, c.values[i] as Tensor] as const), [outGrad, ones(out.shape as number[], out.dtype)] as const]);
      for (const g of prim.vjp({ inputs: xs, out, outGrad, params: c.params, wants }).filter((g) => g !== null))
        expect(evaluate(g, bindings).toFlat().every((v) => v === 0)).toBe(true);
    }
  });
});
