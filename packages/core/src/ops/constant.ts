import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import type { Shape } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { Tensor, full } from "../tensor/tensor.js";

export interface ConstantParams {
  readonly value: Tensor;
}

/** Constants up to this size are keyed by their printed values. */
const VALUE_KEY_LIMIT = 16;
/** Constants up to this size are keyed by content through a canonical tensor; larger ones by identity. */
const CONTENT_KEY_LIMIT = 1 << 20;

/**
 * Canonical tensors by content hash, so equal constants (an identity table built twice, say) are
 * one node and compiled programs are found in the cache. Hits are confirmed element by element.
 */
const canonical = new Map<string, WeakRef<Tensor>[]>();
const canonicalId = new WeakMap<Tensor, number>();

function sameContent(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.size !== b.size || a.shape.some((d, i) => d !== b.shape[i])) return false;
  for (let i = 0; i < a.size; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

function contentId(t: Tensor): number {
  const known = canonicalId.get(t);
  if (known !== undefined) return known;
  let h = 0x811c9dc5; // FNV-1a over the bytes
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  const key = `${t.dtype}[${t.shape.join(",")}]${h >>> 0}`;
  const bucket = (canonical.get(key) ?? []).filter((r) => r.deref() !== undefined);
  const match = bucket.map((r) => r.deref()).find((c): c is Tensor => c !== undefined && sameContent(c, t));
  const id = match?.id ?? t.id;
  if (match === undefined) bucket.push(new WeakRef(t));
  canonical.set(key, bucket);
  canonicalId.set(t, id);
  return id;
}

const showNumber = (x: number): string => (Object.is(x, -0) ? "-0" : Number.isNaN(x) ? "NaN" : String(x));

/** The shortest decimal that reads back as the same element: 0.01 for f32's 0.009999999776…. */
export function showElement(x: number, dtype: DType): string {
  if (dtype !== "f32" || !Number.isFinite(x) || Object.is(x, -0)) return showNumber(x);
  for (let digits = 1; digits < 9; digits++) {
    const short = Number(x.toPrecision(digits));
    if (Math.fround(short) === x) return String(short);
  }
  return String(x);
}

/** A leaf holding a tensor. */
export const constantOp: Primitive<"constant", ConstantParams> = {
  name: "constant",
  traits: { role: "leaf", cheap: false, splat: "none", differentiable: false },
  infer: (_inputs, p) => ({ shape: p.value.shape, dtype: p.value.dtype }),
  evaluate: (_inputs, p) => p.value,
  vjp: () => [],
  print: {
    kind: "custom",
    text: (_a, p) => (p.value.size === 1 ? showElement(p.value.data[0] as number, p.value.dtype) : `const${p.value.dtype}[${p.value.shape.join(",")}]`),
    latex: (_a, p) => (p.value.size === 1 ? showElement(p.value.data[0] as number, p.value.dtype) : `C_{${p.value.id}}`),
  },
  domain: () => ({ inputs: [], params: { value: full([2], 1.5, "f64") } }),
  paramsKey: ({ value: t }) =>
    t.size <= VALUE_KEY_LIMIT
      ? `${t.dtype}[${t.shape.join(",")}]${Array.from(t.data, showNumber).join(",")}`
      : `#${t.size <= CONTENT_KEY_LIMIT ? contentId(t) : t.id}`,
};

/**
 * Embeds a tensor, or a number as a scalar of `dtype` (f32 by default), in a graph.
 * @example
 * const two = constant(2, "f64");
 */
export function constant<S extends Shape, D extends DType>(value: Tensor<S, D>): Expr<S, D>;
export function constant<D extends DType = "f32">(value: number, dtype?: D): Expr<[], D>;
export function constant(value: Tensor | number, dtype: DType = "f32"): Expr {
  return apply(constantOp, [], { value: typeof value === "number" ? full([], value, dtype) : value });
}

/** A scalar constant of `dtype`. */
export function scalar<D extends DType>(value: number, dtype: D): Expr<[], D> {
  return constant(value, dtype);
}
