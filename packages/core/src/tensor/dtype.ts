/** Element types. `f32` is the default for floats; `f64` backs the reference interpreter and gradient checks. */
export type DType = "f32" | "f64" | "i32" | "bool";
export type FloatDType = "f32" | "f64";

/** The typed array that stores elements of dtype `D`. */
export type ArrayFor<D extends DType> = D extends "f32"
  ? Float32Array
  : D extends "f64"
    ? Float64Array
    : D extends "i32"
      ? Int32Array
      : Uint8Array;

export type AnyArray = Float32Array | Float64Array | Int32Array | Uint8Array;

export const isFloat = (dtype: DType): dtype is FloatDType => dtype === "f32" || dtype === "f64";

/** Allocates a zeroed array for `size` elements of `dtype`. */
export function allocate<D extends DType>(dtype: D, size: number): ArrayFor<D>;
export function allocate(dtype: DType, size: number): AnyArray {
  switch (dtype) {
    case "f32":
      return new Float32Array(size);
    case "f64":
      return new Float64Array(size);
    case "i32":
      return new Int32Array(size);
    case "bool":
      return new Uint8Array(size);
  }
}

/** The dtype whose storage is `data`. */
export function dtypeOfArray(data: AnyArray): DType {
  if (data instanceof Float32Array) return "f32";
  if (data instanceof Float64Array) return "f64";
  if (data instanceof Int32Array) return "i32";
  return "bool";
}

/** Rounds a double to what an element of `dtype` holds. */
export function roundTo(dtype: DType, x: number): number {
  switch (dtype) {
    case "f32":
      return Math.fround(x);
    case "f64":
      return x;
    case "i32":
      return x | 0;
    case "bool":
      return x ? 1 : 0;
  }
}
