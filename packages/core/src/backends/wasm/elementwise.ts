// Vector code for each elementwise primitive: four lanes at a time, f32 as f32x4, i32 as i32x4 and
// bool as a lane mask (all ones or zero). Transcendental functions are polynomial kernels (math.ts),
// so fused loops never call out of WebAssembly.
import { type Expr, isOp } from "../../graph/expr.js";
import type { CompareParams } from "../../ops/compare.js";
import type { OpName, OpParams } from "../../ops/index.js";
import type { DType } from "../../tensor/dtype.js";
import { type FunctionBuilder, Simd } from "./emitter.js";
import { ZERO } from "./simd.js";
import { emitExp, emitLog, emitPow, emitSigmoid, emitSinCos, emitTanh } from "./math.js";

/** Emits code leaving the node's v128 value on the stack, from its arguments held in locals. */
export type Emitter = (f: FunctionBuilder, args: readonly number[]) => void;

/** What a rule sees of a node: its input and output dtypes, its params, and inputs that are scalar constants. */
interface Signature<K extends OpName> {
  readonly inputs: readonly DType[];
  readonly out: DType;
  readonly params: OpParams[K];
  readonly constants: readonly (number | undefined)[];
}

/** The value of a single-element constant, seen through broadcasts and reshapes. */
function scalarConstant(e: Expr): number | undefined {
  if (e.op === "broadcast" || e.op === "reshape") return scalarConstant(e.inputs[0] as Expr);
  if (!isOp(e, "constant")) return undefined;
  const value = e.params.value;
  return value.size === 1 ? value.data[0] : undefined;
}

/** Powers by a constant that multiplication or division compute exactly as Math.pow rounds them. */
function constantPower(b: number | undefined): Emitter | null {
  switch (b) {
    case 1:
      return (f, [a]) => f.get(a as number);
    case 2:
      return (f, [a]) => f.get(a as number).get(a as number).simd(Simd.f32x4_mul);
    case -1:
      return (f, [a]) => f.v128f32(1).get(a as number).simd(Simd.f32x4_div);
    default:
      return null;
  }
}

type Rule<K extends OpName> = (s: Signature<K>) => Emitter | null;

/** One SIMD instruction over the arguments, by the dtype of the first argument. */
const simd = (codes: Partial<Record<DType, number>>) => (s: { inputs: readonly DType[] }): Emitter | null => {
  const code = codes[s.inputs[0] as DType];
  if (code === undefined) return null;
  return (f, args) => {
    for (const a of args) f.get(a);
    f.simd(code);
  };
};

/**
 * max/min as the reference evaluates them: NaN if either operand is; otherwise `a > b ? a : b`
 * (resp. `<`), which is pmax(b, a) (resp. pmin), so ties of 0 and −0 give b.
 */
const choose = (code: number): Emitter => (f, [a, b]) => {
  const [x, y] = [a as number, b as number];
  f.get(y).get(x).simd(code);
  f.get(x).get(y).simd(Simd.f32x4_add);
  f.get(x).get(x).simd(Simd.f32x4_eq).get(y).get(y).simd(Simd.f32x4_eq).simd(Simd.v128_and).simd(Simd.v128_bitselect);
};

/** f32 maximum with the reference's NaN and signed-zero behaviour (also the fold of max reductions). */
export const maxOf: Emitter = choose(Simd.f32x4_pmax);

/** A kernel for f32 operands only. */
const f32Only = (emit: Emitter) => (s: { inputs: readonly DType[] }): Emitter | null => (s.inputs.every((d) => d === "f32") ? emit : null);

const zero = (f: FunctionBuilder): FunctionBuilder => f.v128i32(ZERO);

const COMPARE: Record<"f32" | "i32", Record<CompareParams["kind"], number>> = {
  f32: { lt: Simd.f32x4_lt, le: Simd.f32x4_le, eq: Simd.f32x4_eq, ne: Simd.f32x4_ne },
  i32: { lt: Simd.i32x4_lt_s, le: Simd.i32x4_le_s, eq: Simd.i32x4_eq, ne: Simd.i32x4_ne },
};
// On masks (true = −1) order is reversed: a < b for bools is mask(a) > mask(b).
const COMPARE_MASKS: Record<CompareParams["kind"], number> = { lt: Simd.i32x4_gt_s, le: Simd.i32x4_ge_s, eq: Simd.i32x4_eq, ne: Simd.i32x4_ne };

function castRule(from: DType, to: DType): Emitter | null {
  const key = `${from}>${to}`;
  switch (key) {
    case "f32>i32":
      return (f, [x]) => f.get(x as number).simd(Simd.i32x4_trunc_sat_f32x4_s);
    case "i32>f32":
      return (f, [x]) => f.get(x as number).simd(Simd.f32x4_convert_i32x4_s);
    case "bool>f32":
      return (f, [x]) => f.get(x as number).v128f32(1).simd(Simd.v128_and);
    case "bool>i32":
      return (f, [x]) => f.get(x as number).simd(Simd.i32x4_neg);
    // NaN casts to false, as `x ? 1 : 0` does.
    case "f32>bool":
      return (f, [x]) => {
        const v = x as number;
        f.get(v);
        zero(f).simd(Simd.f32x4_ne).get(v).get(v).simd(Simd.f32x4_eq).simd(Simd.v128_and);
      };
    case "i32>bool":
      return (f, [x]) => {
        f.get(x as number);
        zero(f).simd(Simd.i32x4_ne);
      };
    default:
      return null;
  }
}

/**
 * The vector rule of each elementwise primitive that has one. An op without a rule still runs: the
 * compiler leaves it out of fused loops and the interpreter computes it.
 */
export const vectorRules: { readonly [K in OpName]?: Rule<K> } = {
  neg: simd({ f32: Simd.f32x4_neg, i32: Simd.i32x4_neg }),
  abs: simd({ f32: Simd.f32x4_abs, i32: Simd.i32x4_abs }),
  sqrt: simd({ f32: Simd.f32x4_sqrt }),
  add: simd({ f32: Simd.f32x4_add, i32: Simd.i32x4_add }),
  mul: simd({ f32: Simd.f32x4_mul, i32: Simd.i32x4_mul }),
  maximum: (s) => (s.inputs[0] === "f32" ? maxOf : simd({ i32: Simd.i32x4_max_s })(s)),
  minimum: (s) => (s.inputs[0] === "f32" ? choose(Simd.f32x4_pmin) : simd({ i32: Simd.i32x4_min_s })(s)),
  exp: f32Only((f, [x]) => emitExp(f, x as number)),
  log: f32Only((f, [x]) => emitLog(f, x as number)),
  tanh: f32Only((f, [x]) => emitTanh(f, x as number)),
  sigmoid: f32Only((f, [x]) => emitSigmoid(f, x as number)),
  pow: (s) => (s.inputs.every((d) => d === "f32") ? (constantPower(s.constants[1]) ?? ((f, [a, b]) => emitPow(f, a as number, b as number))) : null),
  sin: f32Only((f, [x]) => emitSinCos(f, x as number, false)),
  cos: f32Only((f, [x]) => emitSinCos(f, x as number, true)),
  reciprocal: (s) => (s.inputs[0] === "f32" ? (f, [x]) => f.v128f32(1).get(x as number).simd(Simd.f32x4_div) : null),
  // sign(x) = (x > 0) − (x < 0), keeping 0, −0 and NaN.
  sign: (s) => {
    if (s.inputs[0] === "i32")
      return (f, [x]) => {
        f.get(x as number);
        zero(f).simd(Simd.i32x4_lt_s).get(x as number);
        zero(f).simd(Simd.i32x4_gt_s).simd(Simd.i32x4_sub);
      };
    if (s.inputs[0] !== "f32") return null;
    return (f, [x]) => {
      const v = x as number;
      f.v128f32(1).v128f32(-1).get(v).get(v);
      zero(f).simd(Simd.f32x4_lt).simd(Simd.v128_bitselect).get(v);
      zero(f).simd(Simd.f32x4_gt).simd(Simd.v128_bitselect);
    };
  },
  compare: (s) => {
    const d = s.inputs[0] as DType;
    const code = d === "bool" ? COMPARE_MASKS[s.params.kind] : d === "f32" || d === "i32" ? COMPARE[d][s.params.kind] : undefined;
    if (code === undefined) return null;
    return (f, [a, b]) => f.get(a as number).get(b as number).simd(code);
  },
  where: (s) => (s.out === "f64" ? null : (f, [c, a, b]) => f.get(a as number).get(b as number).get(c as number).simd(Simd.v128_bitselect)),
  cast: (s) => castRule(s.inputs[0] as DType, s.out),
};

function lower<K extends OpName>(rule: Rule<K> | null, s: Signature<K>): Emitter | null {
  return rule === null ? null : rule(s);
}

/** The emitter for a node, or null when no vector code covers its op and dtypes. */
export function vectorEmitter(e: Expr): Emitter | null {
  const rule = (vectorRules[e.op] as Rule<OpName> | undefined) ?? null;
  return lower(rule, { inputs: e.inputs.map((x) => x.dtype), out: e.dtype, params: e.params, constants: e.inputs.map(scalarConstant) });
}
