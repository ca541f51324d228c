// The wasm backend: one module per specialised program. Each step becomes a function (a fused
// loop, a GEMM, Threefry) or a call back into the interpreter for what no kernel covers; an
// exported `run` calls them in order, so `execute()` is a single call into WebAssembly.
import { type Expr, isOp } from "../../graph/expr.js";
import { BYTES, type Layout } from "../../compile/memory.js";
import type { FusedStep, LoopStep, MatmulStep, NodeStep, Plan, Step } from "../../compile/plan.js";
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

/** What a module imports besides its memory and host math: function indices, and the interpreted steps in import order. */
interface Imports {
  readonly parallel: number;
  readonly host: ScalarHost;
  readonly takeError: number;
  readonly interpreted: readonly { readonly step: NodeStep; readonly name: string }[];
}

function declareImports(m: ModuleBuilder, plan: Plan, shared: boolean): Imports {
  for (const name of Object.keys(HOST)) m.importFunction(name, [T.f64], [T.f64]);
  const parallel = shared ? m.importFunction("parallel", [T.i32], []) : -1;
  const host = Object.fromEntries(Object.keys(SCALAR_HOST).map((name) => [name, m.importFunction(`scalar_${name}`, name === "pow" ? [T.f64, T.f64] : [T.f64], [T.f64])])) as ScalarHost;
  const takeError = m.importFunction("takeError", [T.i32, T.i32, T.i32, T.i32], []);
  const interpreted = plan.steps.flatMap((s, i) => (s.kind === "interpret" ? [{ step: s, name: `step${i}` }] : []));
  for (const { name } of interpreted) m.importFunction(name, [], []);
  return { parallel, host, takeError, interpreted };
}

/**
 * Emits a plan's steps as the body of `run`: each a kernel function called in order, a split step
 * one exported function per part (`j<job>_<part>`) that `parallel(job)` runs on the pool, an
 * interpreted step a call of its import.
 */
class StepEmitter {
  readonly run = new FunctionBuilder();
  /** Parts of each split step, by job number. */
  readonly jobs: number[] = [];
  /** Parameters of the take kernels, by id (for their error messages). */
  readonly takes: TakeParams[] = [];
  private nextInterpreted: number;

  constructor(
    private readonly m: ModuleBuilder,
    private readonly plan: Plan,
    private readonly layout: Layout,
    private readonly split: ReturnType<typeof splitPlan>,
    private readonly imports: Imports,
    /** Byte address of the GEMM scratch, past the arena. */
    private readonly scratch: number,
    private readonly fma: boolean,
  ) {
    this.nextInterpreted = imports.takeError + 1;
  }

  private readonly address = (p: Place, dtype: DType): number => (this.layout.offsets[p.slot] as number) + p.offset * BYTES[dtype];
  private readonly viewAddress = (v: View, dtype: DType): number => this.address(v.place, dtype);

  private kernel(emit: (f: FunctionBuilder) => void): void {
    const f = new FunctionBuilder();
    emit(f);
    this.run.call(this.m.addFunction(f));
  }

  private job(parts: readonly ((f: FunctionBuilder) => void)[]): void {
    parts.forEach((emit, t) => {
      const f = new FunctionBuilder();
      emit(f);
      this.m.exportFunction(`j${this.jobs.length}_${t}`, this.m.addFunction(f));
    });
    this.run.i32(this.jobs.length).call(this.imports.parallel);
    this.jobs.push(parts.length);
  }

  step(s: Step): void {
    switch (s.kind) {
      case "interpret":
        this.run.call(this.nextInterpreted++);
        return;
      case "copy": {
        const bytes = s.size * BYTES[s.dtype];
        if (bytes > 0) this.run.i32(this.address(s.to, s.dtype)).i32(this.address(s.from, s.dtype)).i32(bytes).memoryCopy();
        return;
      }
      case "fused":
      case "loop":
        return this.fused(s);
      case "matmul":
        return this.matmul(s);
      case "native":
        return this.native(s);
    }
  }

  private fused(s: FusedStep | LoopStep): void {
    const loops = this.split.loops.get(s);
    if (loops !== undefined) this.job(loops.map((parts) => (f) => emitFused(f, parts, this.viewAddress)));
    else if (s.kind === "loop") this.kernel((f) => emitFused(f, s.parts, this.viewAddress));
    else if (isScalarStep(s)) this.kernel((f) => emitScalar(f, s, this.viewAddress, this.imports.host));
    else this.kernel((f) => emitFused(f, [s.dtype === "f64" && s.nodes.length === 0 ? asWords(s) : s], this.viewAddress));
  }

  private matmul(s: MatmulStep): void {
    const at = (part: number): MatmulAddresses => ({ a: this.address(s.a.place, "f32"), b: this.address(s.b.place, "f32"), c: this.address(s.place, "f32"), scratch: this.scratch + part });
    const parts = this.split.parts.get(s);
    if (parts === undefined) return this.kernel((f) => emitMatmul(f, s, at(0), this.fma));
    // Each part has its own scratch.
    const offsets = parts.map((_, t) => parts.slice(0, t).reduce((sum, cols) => sum + matmulScratch(s, cols), 0));
    this.job(parts.map((cols, t) => (f) => emitMatmul(f, s, at(offsets[t] as number), this.fma, cols)));
  }

  private native(s: NodeStep): void {
    const shape = (e: Expr): readonly number[] => this.plan.shapes.get(e) as readonly number[];
    const out = s.out;
    if (out.op === "randomBits") this.kernel((f) => emitRandomBits(f, this.address(s.args[0] as Place, "i32"), this.address(s.place, "i32"), sizeOf(shape(out))));
    else if (isOp(out, "take")) {
      const [x, ids] = out.inputs as [Expr, Expr];
      const params: TakeParams = out.params;
      const axis = params.axis;
      const xs = shape(x);
      const at = { x: this.address(s.args[0] as Place, x.dtype), ids: this.address(s.args[1] as Place, "i32"), y: this.address(s.place, out.dtype) };
      const dims = { outer: sizeOf(xs.slice(0, axis)), n: xs[axis] as number, count: sizeOf(shape(ids)), inner: sizeOf(xs.slice(axis + 1)) * BYTES[x.dtype], axis, id: this.takes.push(params) - 1 };
      this.kernel((f) => emitTake(f, at, dims, this.imports.takeError));
    }
  }
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
  const imports = declareImports(m, plan, shared);
  const steps = new StepEmitter(m, plan, layout, split, imports, scratch, fma);
  for (const s of plan.steps) steps.step(s);
  m.exportFunction("run", m.addFunction(steps.run));
  const module = new WebAssembly.Module(m.toBytes());
  return () => instantiate(module, new WebAssembly.Memory({ initial: pages, maximum: pages, shared }), plan, layout, imports, steps, split.threads);
}

/** An instance of a plan's module over `memory`, with its host functions bound. */
function instantiate(module: WebAssembly.Module, memory: WebAssembly.Memory, plan: Plan, layout: Layout, imports: Imports, { takes, jobs }: StepEmitter, threads: number): Executable {
  // Called by take kernels on an index out of range: the interpreter's error, naming the same op.
  const takeError = (i: number, k: number, n: number, id: number): never => {
    throw takeRangeError(takes[id] as TakeParams, n, i, k);
  };
  const env: Record<string, unknown> = { memory, takeError };
  for (const name of Object.keys(HOST) as (keyof typeof HOST)[]) env[name] = Math[name];
  for (const [name, fn] of Object.entries(SCALAR_HOST)) env[`scalar_${name}`] = fn;
  for (const { step, name } of imports.interpreted) env[name] = interpretStep(step, plan, layout, memory.buffer);
  const shared = imports.parallel >= 0;
  if (shared) env.parallel = (job: number) => runParallel(job);
  const instance = new WebAssembly.Instance(module, { env: env as WebAssembly.ModuleImports });
  const execute = instance.exports.run as () => void;
  const runParallel = shared ? parallelRunner(module, memory, instance.exports, jobs, threads, execute) : () => {};
  return { memory: memory.buffer, execute };
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
