import { type Backend, type CompileOptions, type Program, compileWith } from "./program.js";
import type { Nodes } from "./types.js";
import { ValueError } from "../shape/shape.js";
import { jsBackend } from "../backends/js/backend.js";
import { wasmBackend } from "../backends/wasm/backend.js";
import { features } from "../backends/wasm/features.js";

/** The backend for the options: `wasm` by default where WebAssembly SIMD is available, relaxed only on request; or the one given. */
function backendFor({ backend: name, relaxedSimd, threads }: CompileOptions): Backend {
  if (typeof name === "object") return name;
  if (name === "js" || (name === undefined && !features.simd)) return jsBackend;
  if (!features.simd) throw new ValueError("compile", "WebAssembly SIMD for the wasm backend", "an engine without it", `use { backend: "js" }`);
  if (threads !== undefined && threads !== "auto" && !(Number.isInteger(threads) && threads >= 1))
    throw new ValueError("compile", "threads: a whole number ≥ 1 or \"auto\"", String(threads), "threads: 1 runs on the calling thread only");
  return wasmBackend(relaxedSimd === true, threads ?? "auto");
}

/**
 * Compiles outputs into a Program: a schedule of fused kernels over one memory arena, cached per
 * graph and specialised per binding of symbolic dimensions.
 * @example
 * const x = input("x", ["batch", 3]);
 * const w = input("w", [3, 2]);
 * const f = compile({ x, w }, { y: relu(matmul(x, w)) });
 * f.run({ x: zeros([4, 3]), w: ones([3, 2]) }).y;   // Tensor [4, 2]
 */
export function compile<I extends string, O extends string, IT extends Nodes<I> = Nodes<I>, OT extends Nodes<O> = Nodes<O>>(
  inputs: IT & Nodes<I>,
  outputs: OT & Nodes<O>,
  options: CompileOptions<NoInfer<I>, NoInfer<O>> = {},
): Program<I, O, IT, OT> {
  return compileWith<I, O, IT, OT>(backendFor(options), inputs, outputs, options.donate);
}
