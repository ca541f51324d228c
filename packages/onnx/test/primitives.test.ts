// Every primitive with an ONNX counterpart, and every composite of core's list, exported and run
// in ONNX Runtime on random shapes and values from its own test domain (fast-check), compared
// with typegrad's reference evaluator in f32 and f64. A new primitive needs a builder below (the
// table is typed over the op list) and a lowering in the package.
import {
  type DType, type Expr, type OpName, type OpParams, type Sampler, type Shape, type TestCase, ShapeError, ValueError,
  broadcastTo, cast, composites, concat, equal, evaluate, input, less, lessEqual, max, notEqual,
  primitives, randomBits, reshape, slice, sum, take, transpose, where,
  abs, add, cos, exp, log, matmul, maximum, minimum, mul, neg, pow, reciprocal, sigmoid, sign, sin, sqrt, stopGradient, tanh,
} from "@typegrad/core";
import { caseArbitrary } from "@typegrad/core/testing";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OnnxExportError, exportGraph, supportedOps } from "../src/index.js";
import { TOL, expectClose, runOnnx } from "./runtime.js";

const RUNS = Number(process.env.ONNX_RUNS ?? 8);

type Build<K extends OpName> = (xs: readonly Expr[], p: OpParams[K]) => Expr;
const x0 = (xs: readonly Expr[]): Expr => xs[0] as Expr;
const x1 = (xs: readonly Expr[]): Expr => xs[1] as Expr;
const un = (f: (x: Expr) => Expr) => (xs: readonly Expr[]) => f(x0(xs));
const bin = (f: (a: Expr, b: Expr) => Expr) => (xs: readonly Expr[]) => f(x0(xs), x1(xs));
const COMPARE = { lt: less, le: lessEqual, eq: equal, ne: notEqual } as const;

/** Each primitive through the public API, from a case's inputs and params. */
const BUILD: { readonly [K in Exclude<OpName, "input" | "constant">]: Build<K> } = {
  neg: un(neg), exp: un(exp), log: un(log), sqrt: un(sqrt), reciprocal: un(reciprocal), sigmoid: un(sigmoid), tanh: un(tanh),
  abs: un(abs), sign: un(sign), sin: un(sin), cos: un(cos), stopGradient: un(stopGradient),
  add: bin(add), mul: bin(mul), pow: bin(pow), maximum: bin(maximum), minimum: bin(minimum), matmul: bin(matmul),
  compare: (xs, p) => COMPARE[p.kind](x0(xs), x1(xs)),
  where: (xs) => where(x0(xs) as Expr<Shape, "bool">, x1(xs), xs[2] as Expr),
  sum: (xs, p) => sum(x0(xs), p.axes, p.keepDims),
  max: (xs, p) => max(x0(xs), p.axes, p.keepDims),
  reshape: (xs, p) => reshape(x0(xs), p.shape),
  broadcast: (xs, p) => broadcastTo(x0(xs), p.shape),
  transpose: (xs, p) => transpose(x0(xs), p.perm),
  slice: (xs, p) => slice(x0(xs), p.axis, p.start, p.end),
  concat: (xs, p) => concat(xs, p.axis),
  take: (xs, p) => take(x0(xs), x1(xs) as Expr<Shape, "i32">, p.axis),
  cast: (xs, p) => cast(x0(xs), p.dtype),
  randomBits: (xs, p) => randomBits(x0(xs) as Expr<Shape, "i32">, p.shape),
};

interface Entry {
  readonly name: string;
  readonly build: (xs: readonly Expr[], params: unknown) => Expr;
  readonly domain: (s: Sampler) => TestCase<unknown>;
}

const entries: Entry[] = [
  ...(Object.keys(BUILD) as (keyof typeof BUILD)[]).map((name): Entry => ({
    name,
    build: (xs, p) => (BUILD[name] as Build<OpName>)(xs, p as OpParams[OpName]),
    domain: primitives[name].domain as (s: Sampler) => TestCase<unknown>,
  })),
  ...composites.map((c): Entry => ({ name: c.name, build: (xs, p) => c.build(xs, p), domain: c.domain })),
];

/** Whether a graph uses only exportable primitives. */
const exportable = (e: Expr, seen = new Set<Expr>()): boolean => {
  if (seen.has(e)) return true;
  seen.add(e);
  return (e.op === "input" || e.op === "constant" || supportedOps.includes(e.op)) && e.inputs.every((x) => exportable(x, seen));
};

/** The entry's node, or undefined when its shape rule refuses integer or bool operands. */
function buildIfAccepted(entry: Entry, xs: readonly Expr[], params: unknown, dtype: DType): Expr | undefined {
  try {
    return entry.build(xs, params);
  } catch (e) {
    if ((dtype === "i32" || dtype === "bool") && (e instanceof ShapeError || e instanceof ValueError)) return undefined;
    throw e;
  }
}

// Floats get the full number of runs; i32 and bool (where the shape rule accepts them) fewer.
const DTYPES = [["f32", RUNS], ["f64", RUNS], ["i32", Math.ceil(RUNS / 3)], ["bool", Math.ceil(RUNS / 3)]] as const;

describe.each(entries)("$name in ONNX Runtime", (entry) => {
  it.each(DTYPES)("matches typegrad in %s on random cases", async (dtype: DType, runs: number) => {
    await fc.assert(
      fc.asyncProperty(caseArbitrary(entry.domain, { dtype }), async ({ values, params }) => {
        const xs = values.map((t, i) => input(`x${i}`, t.shape, t.dtype));
        const y = buildIfAccepted(entry, xs, params, dtype);
        if (y === undefined) return;
        const inputs = Object.fromEntries(xs.map((x, i) => [`x${i}`, x]));
        const feeds = Object.fromEntries(values.map((t, i) => [`x${i}`, t]));
        if (!exportable(y)) {
          expect(() => exportGraph(inputs, { y })).toThrow(OnnxExportError);
          return;
        }
        const got = await runOnnx(exportGraph(inputs, { y }), feeds);
        const want = evaluate(y, new Map(xs.map((x, i) => [x, values[i] as (typeof values)[number]])));
        expectClose(got.y as (typeof values)[number], want, TOL[y.dtype], entry.name);
      }),
      { numRuns: runs },
    );
  });
});

describe("unsupported ops", () => {
  it("name the first op without an ONNX counterpart", () => {
    const k = input("key", [2], "i32");
    const y = add(cast(randomBits(k, [3]), "f32"), 1);
    const err = (() => {
      try {
        exportGraph({ k }, { y });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OnnxExportError);
    expect((err as OnnxExportError).op).toBe("randomBits");
    expect(String((err as Error).message)).toMatch(/^exportGraph: expected primitives with an ONNX counterpart, got randomBits/);
  });
});
