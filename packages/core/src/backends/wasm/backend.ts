// The wasm backend: one module per specialised program. Each step becomes a function (a fused
// loop, a GEMM, Threefry) or a call back into the interpreter for what no kernel covers; an
// exported `run` calls them in order, so `execute()` is a single call into WebAssembly.
import type { Expr } from "../../graph/expr.js";
import { BYTES, type Layout } from "../../compile/memory.js";
import type { FusedStep, Plan, Step } from "../../compile/plan.js";
import type { Backend } from "../../compile/program.js";
import { roles } from "../../compile/roles.js";
import type { Place, View } from "../../compile/view.js";
import type { DType } from "../../tensor/dtype.js";
import { interpretStep } from "../js/interpret.js";
import { FunctionBuilder, ModuleBuilder, T } from "./emitter.js";
import { MATH, mathImports, vectorEmitter } from "./elementwise.js";
import { features } from "./features.js";
import { emitFused } from "./fused.js";
import { emitMatmul } from "./gemm.js";
import { emitRandomBits } from "./threefry.js";

const PAGE = 65536;

/** Whether a fused loop can compute `e`: vector code for its op and dtypes, or a 32-bit reduction. */
function fuses(e: Expr): boolean {
  if (roles[e.op] === "reduce") return e.dtype === "f32" || e.dtype === "i32";
  return vectorEmitter(e) !== null;
}

function native(e: Expr): boolean {
  return (e.op === "matmul" && e.dtype === "f32") || e.op === "randomBits";
}

/** An f64 copy as a copy of i32 pairs: one more axis of two words, strides doubled. */
function asWords(step: FusedStep): FusedStep {
  const widen = (v: View): View => ({
    place: { slot: v.place.slot, offset: v.place.offset * 2 },
    shape: [...v.shape, 2],
    strides: [...v.strides.map((s) => s * 2), 1],
  });
  const load = step.loads[0] as { view: View };
  return { ...step, shape: [...step.shape, 2], loads: [{ view: widen(load.view), dtype: "i32" }], store: widen(step.store), dtype: "i32" };
}

/** Builds the module of one plan and instantiates it over a fresh memory. */
function build(plan: Plan, layout: Layout, fma: boolean) {
  const pages = Math.max(1, Math.ceil(layout.size / PAGE));
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const m = new ModuleBuilder().importMemory(pages);
  for (const name of MATH) m.importFunction(name, name === "pow" ? [T.f64, T.f64] : [T.f64], [T.f64]);
  const env: Record<string, unknown> = { memory, ...mathImports };
  plan.steps.forEach((s, i) => {
    if (s.kind !== "interpret") return;
    env[`step${i}`] = interpretStep(s, plan, layout, memory.buffer);
    m.importFunction(`step${i}`, [], []);
  });
  const byteAddress = (p: Place, dtype: DType): number => (layout.offsets[p.slot] as number) + p.offset * BYTES[dtype];
  const run = new FunctionBuilder();
  const kernel = (emit: (f: FunctionBuilder) => void): void => {
    const f = new FunctionBuilder();
    emit(f);
    run.call(m.addFunction(f));
  };
  let imported = MATH.length;
  const emitStep = (s: Step): void => {
    switch (s.kind) {
      case "interpret":
        run.call(imported++);
        return;
      case "copy": {
        const bytes = s.size * BYTES[s.dtype];
        if (bytes > 0) run.i32(byteAddress(s.to, s.dtype)).i32(byteAddress(s.from, s.dtype)).i32(bytes).memoryCopy();
        return;
      }
      case "fused": {
        const step = s.dtype === "f64" && s.nodes.length === 0 ? asWords(s) : s;
        kernel((f) => emitFused(f, step, (v, d) => byteAddress(v.place, d)));
        return;
      }
      case "matmul":
        kernel((f) => emitMatmul(f, s, { a: byteAddress(s.a.place, "f32"), b: byteAddress(s.b.place, "f32"), c: byteAddress(s.place, "f32") }, fma));
        return;
      case "native": {
        const n = (plan.shapes.get(s.out) as readonly number[]).reduce((a, b) => a * b, 1);
        kernel((f) => emitRandomBits(f, byteAddress(s.args[0] as Place, "i32"), byteAddress(s.place, "i32"), n));
      }
    }
  };
  plan.steps.forEach(emitStep);
  m.exportFunction("run", m.addFunction(run));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(m.toBytes()), { env: env as WebAssembly.ModuleImports });
  return { memory: memory.buffer, execute: instance.exports.run as () => void };
}

/** The WebAssembly SIMD backend (relaxed-SIMD multiply-add in GEMMs where available). */
export const wasmBackend: Backend = {
  name: "wasm",
  lowering: { fuses, native, views: true },
  build: (plan, layout) => build(plan, layout, features.relaxedSimd),
};
