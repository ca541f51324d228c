// Validation of public arguments at the boundary: a value of the wrong kind gets a named error
// with a hint, never a TypeError from deep inside an op.
import { ValueError } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { Expr } from "./expr.js";

/** A short description of any value for an error message: "an array of 3", "an Expr f32[2]", "undefined", … */
export function describe(v: unknown): string {
  if (v instanceof Tensor) return `a Tensor ${v.dtype}[${v.shape.join(",")}]`;
  if (v instanceof Expr) return `an Expr ${v.dtype}[${v.shape.join(",")}]`;
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  if (v === null || typeof v !== "object") return typeof v === "string" ? `the string "${v}"` : String(v);
  const keys = Object.keys(v);
  const name = v.constructor?.name;
  return `${name && name !== "Object" ? `a ${name}` : "an object"}${keys.length ? ` with keys ${keys.slice(0, 4).join(", ")}${keys.length > 4 ? ", …" : ""}` : ""}`;
}

/** A hint for the usual mix-ups between arrays, tensors and graph nodes. */
function hintFor(v: unknown, want: "Tensor" | "Expr"): string | undefined {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return want === "Tensor" ? "make one with tensor(values)" : "make a node with constant(tensor(values))";
  if (v instanceof (want === "Expr" ? Tensor : Expr)) return want === "Expr" ? "wrap values as graph nodes with constant(t), or bind them to an input()" : "a graph node holds no values: evaluate or compile it first";
  return undefined;
}

/** Checks that a public argument is a Tensor (of one of `dtypes`, when given). */
export function checkTensor(v: unknown, op: string, name: string, dtypes?: readonly DType[]): asserts v is Tensor {
  if (!(v instanceof Tensor)) throw new ValueError(op, `${name} to be a Tensor`, describe(v), hintFor(v, "Tensor"));
  if (dtypes !== undefined && !dtypes.includes(v.dtype)) throw new ValueError(op, `${name} of dtype ${dtypes.join(" or ")}`, v.dtype);
}

/** Checks that a public argument is a graph node (an Expr). */
export function checkExpr(v: unknown, op: string, name: string): asserts v is Expr {
  if (!(v instanceof Expr)) throw new ValueError(op, `${name} to be an Expr`, describe(v), hintFor(v, "Expr"));
}
