// ONNX Runtime (onnxruntime-web's WebAssembly build, run in Node, offline) as the oracle for the
// exported models, and the comparison every test uses.
import { type DType, Tensor, tensor } from "@typegrad/core";
import * as ort from "onnxruntime-web";
import { expect } from "vitest";

ort.env.wasm.numThreads = 1;
ort.env.logLevel = "error";

const ORT_TYPE: { readonly [D in DType]: ort.Tensor.Type } = { f32: "float32", f64: "float64", i32: "int32", bool: "bool" };
const FROM_ORT: Partial<Record<string, DType>> = { float32: "f32", float64: "f64", int32: "i32", bool: "bool" };

const toOrt = (t: Tensor): ort.Tensor =>
  t.dtype === "bool" ? new ort.Tensor("bool", Uint8Array.from(t.data), [...(t.shape as number[])]) : new ort.Tensor(ORT_TYPE[t.dtype], t.data as Float32Array, [...(t.shape as number[])]);

function fromOrt(t: ort.Tensor): Tensor {
  const dtype = FROM_ORT[t.type];
  if (dtype === undefined) throw new Error(`ONNX Runtime returned a ${t.type} tensor`);
  const data = t.data as Float32Array | Float64Array | Int32Array | Uint8Array;
  return new Tensor([...t.dims], dtype, dtype === "bool" ? Uint8Array.from(data) : data);
}

/** Runs ONNX model bytes in ONNX Runtime on named inputs. */
export async function runOnnx(model: Uint8Array, feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>> {
  const session = await ort.InferenceSession.create(model);
  try {
    const results = await session.run(Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)])));
    return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, fromOrt(v)]));
  } finally {
    await session.release();
  }
}

/**
 * Asserts |actual − expected| ≤ rtol·max(|expected|, 1) elementwise (relative, with a floor of 1
 * so values near zero are compared absolutely), same shape and dtype; NaN matches NaN.
 */
export function expectClose(actual: Tensor, expected: Tensor, rtol: number, label = ""): void {
  expect(actual.shape, `${label} shape`).toEqual(expected.shape);
  expect(actual.dtype, `${label} dtype`).toBe(expected.dtype);
  const a = actual.data;
  const b = expected.data;
  for (let i = 0; i < b.length; i++) {
    const [x, y] = [a[i] as number, b[i] as number];
    if (Number.isNaN(y) && Number.isNaN(x)) continue;
    if (x === y) continue;
    const err = Math.abs(x - y);
    if (!(err <= rtol * Math.max(Math.abs(y), 1))) expect.fail(`${label}: element ${i} is ${x}, expected ${y} (error ${err.toExponential(2)}, tolerance ${rtol} relative)`);
  }
}

/** Tolerances by dtype: f32 1e-5, f64 1e-12 relative; integers and bools exact. */
export const TOL: { readonly [D in DType]: number } = { f32: 1e-5, f64: 1e-12, i32: 0, bool: 0 };

/** A tensor of values drawn uniformly from [min, max) by a seeded generator (mulberry32). */
export function randomTensor(shape: readonly number[], dtype: DType, seed: number, min = -1, max = 1): Tensor {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => min + (max - min) * next()), { shape, dtype });
}
