// The wasm backend: one module per specialised program. Each step becomes a function (a fused
// loop, a GEMM, Threefry) or a call back into the interpreter for what no kernel covers; an
// exported `run` calls them in order, so `execute()` is a single call into WebAssembly.
import { type Expr, isOp } from "../../graph/expr.js";
import { BYTES, type Layout } from "../../compile/memory.js";
import type { FusedStep, Plan, Step } from "../../compile/plan.js";
import type { Backend, Executable } from "../../compile/program.js";
import type { Place, View } from "../../compile/view.js";
import { traitsOf } from "../../ops/index.js";
import { ValueError, sizeOf } from "../../shape/shape.js";
import { type TakeParams, takeRangeError } from "../../ops/take.js";
import type { DType } from "../../tensor/dtype.js";
import { interpretStep } from "../js/interpret.js";
import { FunctionBuilder, ModuleBuilder, T } from "./emitter.js";
import { vectorEmitter } from "./elementwise.js";
import { features } from "./features.js";
import { emitFused } from "./fused.js";
import { type MatmulAddresses, emitMatmul, matmulScratch } from "./gemm.js";
import { type Splitting, type Threads, parallelRunner, splitPlan } from "./parallel.js";
import { HOST } from "./math.js";
import { emitTake } from "./take.js";
import { SCALAR_HOST, type ScalarHost, emitScalar, isScalarStep, scalarCovers } from "./scalar.js";
import { emitRandomBits } from "./threefry.js";

const PAGE = 65536;

/** Whether a fused kernel can compute `e`: vector code for its op and dtypes, scalar code for one element, or a 32-bit reduction. */
function fuses(e: Expr): boolean {
  if (traitsOf(e.op).role === "reduce") return e.dtype === "f32" || e.dtype === "i32";
  return vectorEmitter(e) !== null || scalarCovers(e);
}

/** WebAssembly's 32-bit memories hold at most 65,536 pages of 64 KiB: 4 GiB. */
const MAX_PAGES = 65536;

/** The error of a program whose arena exceeds 4 GiB, naming its largest buffer. */
function tooLarge(plan: Plan, bytes: number): ValueError {
  const gib = (n: number): string => `${(n / 2 ** 30).toFixed(2)} GiB`;
  const slots = plan.slots.map((s) => ({ node: s.node, bytes: s.size * BYTES[s.dtype] }));
  const big = slots.reduce((a, b) => (b.bytes > a.bytes ? b : a), { node: plan.slots[0]?.node, bytes: 0 });
  const node = big.node === undefined ? "" : `; the largest buffer is ${big.node.op} ${big.node.dtype}[${(plan.shapes.get(big.node) ?? big.node.shape).join(",")}] (${gib(big.bytes)})`;
  return new ValueError("compile", `a program of at most 4 GiB of WebAssembly memory`, `${gib(bytes)}${node}`, `use smaller batches or dimensions, or { backend: "js" }`);
}

/** Kernel-role nodes with a wasm kernel of their own: f32 matrix products, random bits, take. */
function native(e: Expr): boolean {
  return (e.op === "matmul" && e.dtype === "f32") || e.op === "randomBits" || e.op === "take";
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

/** Compiles the module of one plan; the factory instantiates it over a fresh memory each time. */
function prepare(plan: Plan, layout: Layout, fma: boolean, threads: Threads, splitting: Splitting): () => Executable {
  const split = splitPlan(plan, threads, splitting);
  // Past the arena: scratch for packed GEMM panels (one per part), and slack for kernels that read a vector past a slot's end.
  const scratch = Math.ceil(layout.size / 16) * 16;
  const scratchBytes = Math.max(0, ...plan.steps.map((s) => (s.kind === "matmul" ? (split.parts.get(s) ?? [{ from: 0, to: s.n }]).reduce((sum, cols) => sum + matmulScratch(s, cols), 0) : 0)));
  const pages = Math.max(1, Math.ceil((scratch + scratchBytes + 64) / PAGE));
  if (pages > MAX_PAGES) throw tooLarge(plan, pages * PAGE);
  const shared = split.threads > 1;
  const m = new ModuleBuilder().importMemory(pages, shared);
  for (const name of Object.keys(HOST)) m.importFunction(name, [T.f64], [T.f64]);
  const parallel = shared ? m.importFunction("parallel", [T.i32], []) : -1;
  const host = Object.fromEntries(Object.keys(SCALAR_HOST).map((name) => [name, m.importFunction(`scalar_${name}`, name === "pow" ? [T.f64, T.f64] : [T.f64], [T.f64])])) as ScalarHost;
  const fail = m.importFunction("takeError", [T.i32, T.i32, T.i32, T.i32], []);
  const takes: TakeParams[] = [];
  const interpreted = plan.steps.flatMap((s, i) => (s.kind === "interpret" ? [{ step: s, name: `step${i}` }] : []));
  for (const { name } of interpreted) m.importFunction(name, [], []);
  const byteAddress = (p: Place, dtype: DType): number => (layout.offsets[p.slot] as number) + p.offset * BYTES[dtype];
  const run = new FunctionBuilder();
  const kernel = (emit: (f: FunctionBuilder) => void): void => {
    const f = new FunctionBuilder();
    emit(f);
    run.call(m.addFunction(f));
  };
  let imported = fail + 1;
  /** Parts of each split step, by job number. */
  const jobs: number[] = [];
  /** A split step: one exported function per part (`j<job>_<part>`), run on the pool by `parallel(job)`. */
  const job = (parts: readonly ((f: FunctionBuilder) => void)[]): void => {
    parts.forEach((emit, t) => {
      const f = new FunctionBuilder();
      emit(f);
      m.exportFunction(`j${jobs.length}_${t}`, m.addFunction(f));
    });
    run.i32(jobs.length).call(parallel);
    jobs.push(parts.length);
  };
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
      case "fused":
      case "loop": {
        const loops = split.loops.get(s);
        if (loops !== undefined) job(loops.map((parts) => (f) => emitFused(f, parts, (v, d) => byteAddress(v.place, d))));
        else if (s.kind === "loop") kernel((f) => emitFused(f, s.parts, (v, d) => byteAddress(v.place, d)));
        else if (isScalarStep(s)) kernel((f) => emitScalar(f, s, (v, d) => byteAddress(v.place, d), host));
        else kernel((f) => emitFused(f, [s.dtype === "f64" && s.nodes.length === 0 ? asWords(s) : s], (v, d) => byteAddress(v.place, d)));
        return;
      }
      case "matmul": {
        const at = (part: number): MatmulAddresses => ({ a: byteAddress(s.a.place, "f32"), b: byteAddress(s.b.place, "f32"), c: byteAddress(s.place, "f32"), scratch: scratch + part });
        const parts = split.parts.get(s);
        if (parts === undefined) {
          kernel((f) => emitMatmul(f, s, at(0), fma));
          return;
        }
        // Each part has its own scratch.
        const offsets = parts.map((_, t) => parts.slice(0, t).reduce((sum, cols) => sum + matmulScratch(s, cols), 0));
        job(parts.map((cols, t) => (f) => emitMatmul(f, s, at(offsets[t] as number), fma, cols)));
        return;
      }
      case "native": {
        const shape = (e: Expr): readonly number[] => plan.shapes.get(e) as readonly number[];
        const out = s.out;
        if (out.op === "randomBits") kernel((f) => emitRandomBits(f, byteAddress(s.args[0] as Place, "i32"), byteAddress(s.place, "i32"), sizeOf(shape(out))));
        else if (isOp(out, "take")) {
          const [x, ids] = out.inputs as [Expr, Expr];
          const params: TakeParams = out.params;
          const axis = params.axis;
          const xs = shape(x);
          const at = { x: byteAddress(s.args[0] as Place, x.dtype), ids: byteAddress(s.args[1] as Place, "i32"), y: byteAddress(s.place, out.dtype) };
          const dims = { outer: sizeOf(xs.slice(0, axis)), n: xs[axis] as number, count: sizeOf(shape(ids)), inner: sizeOf(xs.slice(axis + 1)) * BYTES[x.dtype], axis, id: takes.push(params) - 1 };
          kernel((f) => emitTake(f, at, dims, fail));
        }
      }
    }
  };
  plan.steps.forEach(emitStep);
  m.exportFunction("run", m.addFunction(run));
  const module = new WebAssembly.Module(m.toBytes());
  return () => {
    const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared });
    // Called by take kernels on an index out of range: the interpreter's error, naming the same op.
    const takeError = (i: number, k: number, n: number, id: number): never => {
      throw takeRangeError(takes[id] as TakeParams, n, i, k);
    };
    const env: Record<string, unknown> = { memory, takeError };
    for (const name of Object.keys(HOST) as (keyof typeof HOST)[]) env[name] = Math[name];
    for (const [name, fn] of Object.entries(SCALAR_HOST)) env[`scalar_${name}`] = fn;
    for (const { step, name } of interpreted) env[name] = interpretStep(step, plan, layout, memory.buffer);
    if (shared) env.parallel = (job: number) => runParallel(job);
    const instance = new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports });
    const execute = instance.exports.run as () => void;
    const runParallel = shared ? parallelRunner(module, memory, instance.exports, jobs, split.threads, execute) : () => {};
    return { memory: memory.buffer, execute };
  };
}

const variants = new Map<string, Backend>();

/**
 * The WebAssembly SIMD backend: the same bits on every engine and thread count (plain multiply and
 * add in GEMMs), or with relaxed-SIMD multiply-add where the engine has it (opt-in: bits depend on
 * the CPU); `threads` as in `compile`, and `splitting: "every"` splits even steps too small to gain
 * (for tests of the split kernels).
 */
export function wasmBackend(relaxedSimd = false, threads: Threads = "auto", splitting: Splitting = "worth"): Backend {
  const fma = relaxedSimd && features.relaxedSimd;
  const key = `${fma}/${threads}/${splitting}`;
  const known = variants.get(key);
  if (known !== undefined) return known;
  // One object per variant: programs are cached per backend object.
  const b: Backend = { name: "wasm", lowering: { fuses, native, views: true }, prepare: (plan, layout) => prepare(plan, layout, fma, threads, splitting) };
  variants.set(key, b);
  return b;
}
