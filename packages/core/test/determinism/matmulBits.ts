// Prints the bits of a matrix product, computed by default and with relaxed SIMD allowed, as JSON:
// run by determinism.test.ts in a Node process whose engine offers relaxed SIMD.
import { Tensor, compile, input, matmul, wasmFeatures } from "@typegrad/core";

const a = input("a", [16, 64]);
const b = input("b", [64, 16]);
const fill = (shape: [number, number], s: number): Tensor => new Tensor(shape, "f32", Float32Array.from({ length: 1024 }, (_, i) => Math.sin(i * s) * 3.7));
const bits = (relaxedSimd: boolean): string => {
  const y = compile({ a, b }, { y: matmul(a, b) }, { relaxedSimd }).run({ a: fill([16, 64], 1.3), b: fill([64, 16], 0.7) }).y;
  return Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength).toString("hex");
};
console.log(JSON.stringify({ relaxedSimd: wasmFeatures.relaxedSimd, plain: bits(false), relaxed: bits(true) }));
