// Feature detection: SIMD is required for the wasm backend; relaxed SIMD (fused multiply-add) is
// used when this engine validates it (Node 22+; Node 20 needs --experimental-wasm-relaxed-simd).
import { FunctionBuilder, ModuleBuilder, Op, Simd } from "./emitter.js";

function validates(body: (f: FunctionBuilder) => void): boolean {
  if (typeof WebAssembly !== "object") return false;
  const f = new FunctionBuilder();
  body(f);
  const m = new ModuleBuilder();
  m.addFunction(f);
  try {
    return WebAssembly.validate(m.toBytes());
  } catch {
    return false;
  }
}

/** What this engine's WebAssembly supports: SIMD (needed by the wasm backend) and relaxed SIMD (multiply-add in GEMMs). */
export const features = {
  simd: validates((f) => f.v128f32(1).simd(Simd.f32x4_sqrt).op(Op.drop)),
  relaxedSimd: validates((f) => f.v128f32(1).v128f32(2).v128f32(3).simd(Simd.f32x4_relaxed_madd).op(Op.drop)),
};
