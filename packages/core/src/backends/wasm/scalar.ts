// Single-element kernels in scalar code, for what has no vector code: f64 arithmetic above all (an
// optimiser's bias corrections and schedules, computed in double precision and rounded once to
// the parameters' dtype). Every value is held as an f64 and rounded to its node's dtype after each
// node, exactly as the reference evaluator computes (double, then `roundTo`), so the bits agree.
import type { FusedStep, Ref } from "../../compile/plan.js";
import type { View } from "../../compile/view.js";
import type { Expr } from "../../graph/expr.js";
import type { CompareParams } from "../../ops/compare.js";
import { traitsOf } from "../../ops/index.js";
import type { DType } from "../../tensor/dtype.js";
import { type FunctionBuilder, Op, T } from "./emitter.js";
import { vectorEmitter } from "./elementwise.js";

/** Host functions the scalar kernels call (the reference's own), imported in this order. */
export const SCALAR_HOST = { exp: Math.exp, log: Math.log, tanh: Math.tanh, sin: Math.sin, cos: Math.cos, pow: Math.pow } as const;
export type ScalarHost = { readonly [K in keyof typeof SCALAR_HOST]: number };

const COVERED = new Set<string>(["add", "mul", "neg", "abs", "sqrt", "reciprocal", "maximum", "minimum", "compare", "where", "cast", "sign", "sigmoid", ...Object.keys(SCALAR_HOST)]);

const COMPARE: Record<CompareParams["kind"], number> = { lt: Op.f64_lt, le: Op.f64_le, eq: Op.f64_eq, ne: Op.f64_ne };

/** Whether scalar code covers `e`: an elementwise node of a single element, of an op listed above. */
export function scalarCovers(e: Expr): boolean {
  return traitsOf(e.op).role === "elementwise" && COVERED.has(e.op) && e.shape.every((d) => d === 1);
}

/** Whether a fused step runs as scalar code: one element, and a node without vector code. */
export function isScalarStep(s: FusedStep): boolean {
  return s.nodes.length > 0 && s.shape.every((d) => d === 1) && s.nodes.some((n) => vectorEmitter(n.node) === null);
}

/** Rounds the f64 on the stack to `dtype` as `roundTo` does (f32: fround; i32: ToInt32; bool: x ? 1 : 0). */
function round(f: FunctionBuilder, dtype: DType, tmp: number): void {
  switch (dtype) {
    case "f64":
      return;
    case "f32":
      f.op(Op.f32_demote_f64).op(Op.f64_promote_f32);
      return;
    case "i32":
      // Truncate, then wrap modulo 2³² (exact in f64); NaN and ±∞ become 0 through the saturating conversion.
      f.op(Op.f64_trunc).tee(tmp).get(tmp).f64(2 ** -32).op(Op.f64_mul).op(Op.f64_floor).f64(2 ** 32).op(Op.f64_mul).op(Op.f64_sub);
      f.truncSat(true).op(Op.f64_convert_i32_s);
      return;
    case "bool":
      f.tee(tmp).f64(0).op(Op.f64_ne).get(tmp).get(tmp).op(Op.f64_eq).op(Op.i32_and).op(Op.f64_convert_i32_u);
  }
}

/** `a > b ? a : b` (resp. `<`), NaN if either is NaN, as the reference's maximum and minimum. */
function choose(f: FunctionBuilder, a: number, b: number, greater: boolean): void {
  f.get(a).get(b).get(a).get(b).op(greater ? Op.f64_gt : Op.f64_lt).op(Op.select);
  f.get(a).get(b).op(Op.f64_add);
  f.get(a).get(a).op(Op.f64_eq).get(b).get(b).op(Op.f64_eq).op(Op.i32_and).op(Op.select);
}

/** Pushes the f64 value of node `e` from its arguments' locals. */
function emitNode(f: FunctionBuilder, e: Expr, args: readonly number[], host: ScalarHost, tmp: number): void {
  const [a, b, c] = args as [number, number, number];
  switch (e.op) {
    case "add":
    case "mul":
      f.get(a).get(b).op(e.op === "add" ? Op.f64_add : Op.f64_mul);
      return;
    case "neg":
      f.get(a).op(Op.f64_neg);
      return;
    case "abs":
      f.get(a).op(Op.f64_abs);
      return;
    case "sqrt":
      f.get(a).op(Op.f64_sqrt);
      return;
    case "reciprocal":
      f.f64(1).get(a).op(Op.f64_div);
      return;
    case "maximum":
    case "minimum":
      choose(f, a, b, e.op === "maximum");
      return;
    case "compare":
      f.get(a).get(b).op(COMPARE[(e.params as CompareParams).kind]).op(Op.f64_convert_i32_u);
      return;
    case "where": {
      const [cond, yes, no] = [a, b, c];
      f.get(yes).get(no).get(cond).f64(0).op(Op.f64_ne).op(Op.select);
      return;
    }
    case "cast":
      f.get(a);
      return;
    case "sign":
      // x > 0 ? 1 : x < 0 ? −1 : x
      f.f64(1).f64(-1).get(a).get(a).f64(0).op(Op.f64_lt).op(Op.select).get(a).f64(0).op(Op.f64_gt).op(Op.select);
      return;
    case "sigmoid":
      // x ≥ 0 ? 1/(1 + e⁻ˣ) : eˣ/(1 + eˣ), with e = exp(x ≥ 0 ? −x : x)
      f.get(a).op(Op.f64_neg).get(a).get(a).f64(0).op(Op.f64_ge).op(Op.select).call(host.exp).set(tmp);
      f.f64(1).get(tmp).get(a).f64(0).op(Op.f64_ge).op(Op.select).f64(1).get(tmp).op(Op.f64_add).op(Op.f64_div);
      return;
    case "pow":
      f.get(a).get(b).call(host.pow);
      return;
    default:
      f.get(a).call(host[e.op as Exclude<keyof ScalarHost, "pow">]);
  }
}

const LOAD: Record<DType, [number, number, number | null]> = {
  f64: [Op.f64_load, 3, null],
  f32: [Op.f32_load, 2, Op.f64_promote_f32],
  i32: [Op.i32_load, 2, Op.f64_convert_i32_s],
  bool: [Op.i32_load8_u, 0, Op.f64_convert_i32_u],
};

/** Emits a single-element step: loads, nodes in f64 (each rounded to its dtype), store (a reduction of one element adds it to 0). */
export function emitScalar(f: FunctionBuilder, step: FusedStep, address: (v: View, dtype: DType) => number, host: ScalarHost): void {
  const tmp = f.local(T.f64);
  const loads = step.loads.map((l) => {
    const [code, align, widen] = LOAD[l.dtype];
    const local = f.local(T.f64);
    f.i32(address(l.view, l.dtype)).mem(code, align);
    if (widen !== null) f.op(widen);
    f.set(local);
    return local;
  });
  const values: number[] = [];
  const valueOf = (r: Ref): number => ("load" in r ? (loads[r.load] as number) : (values[r.node] as number));
  for (const n of step.nodes) {
    const local = f.local(T.f64);
    emitNode(f, n.node, n.args.map(valueOf), host, tmp);
    round(f, n.node.dtype, tmp);
    f.set(local);
    values.push(local);
  }
  f.i32(address(step.store, step.dtype)).get(valueOf(step.result));
  if (step.reduce === "sum") {
    f.f64(0).op(Op.f64_add);
    round(f, step.dtype, tmp);
  }
  switch (step.dtype) {
    case "f64":
      f.mem(Op.f64_store, 3);
      return;
    case "f32":
      f.op(Op.f32_demote_f64).mem(Op.f32_store, 2);
      return;
    case "i32":
      f.truncSat(false).mem(Op.i32_store, 2);
      return;
    case "bool":
      f.truncSat(false).mem(Op.i32_store8, 0);
  }
}
