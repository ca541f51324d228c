// Programs: a compiled graph that binds inputs, runs and returns outputs, specialised per binding
// of its symbolic dimensions. Compilation (plans, kernels) is cached per graph and shared; each
// program owns its arenas, so two programs of one graph never share state.
import { type Expr, isOp } from "../graph/expr.js";
import { bindInputs } from "../graph/bind.js";
import type { BindCheck, Nodes, RunCheck, ValueOf } from "./types.js";
import { inputsOf } from "../graph/topo.js";
import { type ConcreteShape, sameShape, ShapeError, showShape, sizeOf, ValueError } from "../shape/shape.js";
import type { ArrayFor, DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { BYTES, type Layout, layout } from "./memory.js";
import { type FusedStep, type Lowering, type Plan, type Step, plan } from "./plan.js";
import type { Place } from "./view.js";

/** A typed array of any dtype, as `set` accepts and `view` returns. */
export type Data = ArrayFor<DType>;

/**
 * The kernels of one specialised plan over one arena: what a backend makes of a plan. Programs
 * write inputs into the arena and read outputs from it through typed-array views at the places
 * the plan's layout gives.
 */
export interface Executable {
  /**
   * The arena as the host sees it: all tensor data of the program. Never resized, so views into
   * it stay valid. A `SharedArrayBuffer` when worker threads share it; a device backend keeps a
   * host copy here and moves data to and from the device in `execute` and `readback`.
   */
  readonly memory: ArrayBufferLike;
  /** Runs every step once. Unless `readback` is given, the outputs are in the arena when it returns. */
  readonly execute: () => void;
  /**
   * For backends whose results arrive later (a device, workers the thread cannot block on):
   * resolves once the arena holds the results of every `execute` so far.
   */
  readonly readback?: () => Promise<void>;
}

/**
 * A way to run plans: what it computes natively, and how it compiles a plan's kernels. The
 * built-in ones are `wasm` and `js`; `compile` also takes any object implementing this (a
 * threaded or device backend), see docs/compile.md.
 */
export interface Backend {
  /** A name for messages and `describe`; programs are cached per backend object, not per name. */
  readonly name: string;
  readonly lowering: Lowering;
  /** Compiles a plan's kernels once; the returned factory makes independent executables, each with its own arena. */
  prepare(plan: Plan, layout: Layout): () => Executable;
}

/** Options of `compile`. */
export interface CompileOptions<I extends string = string, O extends string = string> {
  /** `wasm` (default where WebAssembly SIMD is available), `js` (the reference interpreter) or a backend object. */
  readonly backend?: "wasm" | "js" | Backend;
  /** Outputs that overwrite inputs of the same shape and dtype (parameters, optimiser state). */
  readonly donate?: Partial<Record<O, I>>;
  /**
   * Allows relaxed-SIMD kernels (`f32x4.relaxed_madd` in matrix products) where the engine has
   * them. Off by default: a relaxed multiply-add is fused or not as the CPU prefers, so the last
   * bits of a result would depend on the machine and the engine version.
   */
  readonly relaxedSimd?: boolean;
  /**
   * Threads a program may use (wasm): `"auto"` (default) uses every core for steps large enough to
   * gain and one thread when no step is; a number splits every large-enough-to-split step that
   * many ways; 1 never starts a worker. Results have the same bits on any thread count.
   */
  readonly threads?: number | "auto";
}

/** A typed array over the arena. */
export function arrayView(dtype: DType, buffer: ArrayBufferLike, byteOffset: number, length: number): Data {
  switch (dtype) {
    case "f32":
      return new Float32Array(buffer, byteOffset, length);
    case "f64":
      return new Float64Array(buffer, byteOffset, length);
    case "i32":
      return new Int32Array(buffer, byteOffset, length);
    case "bool":
      return new Uint8Array(buffer, byteOffset, length);
  }
}

/** A graph compiled for one binding of its dimensions. */
interface Specialised {
  readonly dims: ReadonlyMap<string, number>;
  readonly plan: Plan;
  readonly layout: Layout;
  readonly instantiate: () => Executable;
}

/** A graph and its compiled specialisations, shared by all programs of that graph. */
class Compiled {
  private readonly specs = new Map<string, Specialised>();
  /** Names of the symbolic dimensions of the inputs, sorted. */
  readonly symbols: readonly string[];

  constructor(
    readonly inputs: ReadonlyMap<string, Expr>,
    readonly outputs: ReadonlyMap<string, Expr>,
    readonly donations: ReadonlyMap<string, string>,
    readonly backend: Backend,
  ) {
    this.symbols = [...new Set([...inputs.values()].flatMap((e) => e.shape.filter((d): d is string => typeof d === "string")))].sort();
  }

  key(dims: ReadonlyMap<string, number>): string {
    return this.symbols.map((n) => dims.get(n)).join(",");
  }

  specialise(dims: ReadonlyMap<string, number>): Specialised {
    const key = this.key(dims);
    let s = this.specs.get(key);
    if (s === undefined) {
      const p = plan(this.inputs, this.outputs, this.donations, dims, this.backend.lowering);
      const l = layout(p);
      s = { dims, plan: p, layout: l, instantiate: this.backend.prepare(p, l) };
      this.specs.set(key, s);
    }
    return s;
  }
}

/** A specialisation instantiated for one program: its arena, kernels and views of inputs and outputs. */
class Instance {
  readonly inputs = new Map<string, Data>();
  readonly outputs = new Map<string, Data>();
  readonly shapes = new Map<string, ConcreteShape>();
  readonly execute: () => void;
  readonly readback: (() => Promise<void>) | undefined;
  /** Inputs not set since this instance became current. */
  readonly unset: Set<string>;
  readonly dims: ReadonlyMap<string, number>;

  constructor(
    readonly specialised: Specialised,
    c: Compiled,
  ) {
    const s = specialised;
    const exe = s.instantiate();
    const { plan: p, layout: l } = s;
    this.dims = s.dims;
    this.execute = exe.execute;
    this.readback = exe.readback;
    const viewOf = (e: Expr, place: Place): Data => {
      const length = sizeOf(p.shapes.get(e) as ConcreteShape);
      return arrayView(e.dtype, exe.memory, (l.offsets[place.slot] as number) + place.offset * BYTES[e.dtype], length);
    };
    for (const [name, e] of c.inputs) this.inputs.set(name, viewOf(e, p.inputs.get(name) as Place));
    for (const [name, e] of c.outputs) this.outputs.set(name, viewOf(e, p.outputs.get(name) as Place));
    for (const [name, e] of [...c.inputs, ...c.outputs]) this.shapes.set(name, p.shapes.get(e) as ConcreteShape);
    for (const [i, slot] of p.slots.entries()) {
      if (slot.kind === "constant" && isOp(slot.node, "constant")) arrayView(slot.dtype, exe.memory, l.offsets[i] as number, slot.size).set(slot.node.params.value.data);
    }
    this.unset = new Set(c.inputs.keys());
  }

  /** An output's view, else an input's. */
  view(name: string): Data | undefined {
    return this.outputs.get(name) ?? this.inputs.get(name);
  }
}

/** The node of an output (or input) name. */
type NodeOf<K, IT, OT> = K extends keyof OT ? OT[K] : K extends keyof IT ? IT[K] : Expr;

/**
 * A compiled graph. `run` binds tensors and returns new tensors; for loops that must not allocate,
 * `set` inputs (tensors or typed arrays), `execute`, and read outputs with `get(name, out)` or `view`.
 * Donated outputs overwrite their inputs, so state carries over from one `execute` to the next.
 * `get`, `view` and `shapeOf` look a name up among the outputs first, then the inputs.
 */
export class Program<I extends string = string, O extends string = string, IT extends Nodes<I> = Nodes<I>, OT extends Nodes<O> = Nodes<O>> {
  private readonly instances = new Map<string, Instance>();
  private current: Instance | undefined;
  /** Before every symbolic dimension is bound: the dimensions and input values seen so far. */
  private pendingDims: ReadonlyMap<string, number> = new Map();
  private readonly pending = new Map<string, Data>();
  readonly inputs: ReadonlyMap<I, Expr>;
  readonly outputs: ReadonlyMap<O, Expr>;
  readonly backend: Backend;

  /** @internal Use `compile`. */
  constructor(private readonly compiled: Compiled) {
    this.inputs = compiled.inputs as ReadonlyMap<I, Expr>;
    this.outputs = compiled.outputs as ReadonlyMap<O, Expr>;
    this.backend = compiled.backend;
    if (compiled.symbols.length === 0) this.current = this.instance(new Map());
  }

  /** Names of the symbolic dimensions, bound by the shapes of the tensors given to `run` or `set`. */
  get dimensions(): readonly string[] {
    return this.compiled.symbols;
  }

  /**
   * Binds every input, runs, and returns the outputs as new tensors.
   * @example
   * const x = input("x", [3]);
   * const f = compile({ x }, { y: sum(mul(x, x)) });
   * f.run({ x: tensor([1, 2, 3]) }).y.item();   // 14
   */
  run<B extends Readonly<Record<I, Tensor>>>(bindings: B & RunCheck<"run", IT, B>): { [K in O]: ValueOf<OT[K]> } {
    const inst = this.bindAll(bindings, "run");
    if (inst.readback !== undefined) throw new ValueError("run", "a backend that finishes synchronously", `the ${this.backend.name} backend, which reads results back asynchronously`, "use await runAsync(bindings)");
    inst.execute();
    return this.outputTensors();
  }

  /**
   * `run` for every backend, including those whose results arrive asynchronously (a device,
   * worker threads): resolves with the outputs once they are read back.
   * @example
   * const { y } = await compile({ x }, { y: sum(mul(x, x)) }).runAsync({ x: tensor([1, 2, 3]) });
   */
  async runAsync<B extends Readonly<Record<I, Tensor>>>(bindings: B & RunCheck<"runAsync", IT, B>): Promise<{ [K in O]: ValueOf<OT[K]> }> {
    const inst = this.bindAll(bindings, "runAsync");
    inst.execute();
    await inst.readback?.();
    return this.outputTensors();
  }

  /** `execute`, then waits until the outputs are read back (immediately on the built-in backends). */
  async executeAsync(): Promise<void> {
    this.execute();
    await this.current?.readback?.();
  }

  private bindAll(bindings: Readonly<Record<I, Tensor>>, op: string): Instance {
    const { dims } = bindInputs([...this.inputs.values()], bindings, op);
    const inst = this.instance(dims);
    this.current = inst;
    for (const name of this.inputs.keys()) (inst.inputs.get(name) as Data).set(bindings[name].data);
    inst.unset.clear();
    return inst;
  }

  private outputTensors(): { [K in O]: ValueOf<OT[K]> } {
    // Each output's tensor has its node's dtype and bound shape, which ValueOf states.
    const result = {} as { [K in O]: ValueOf<OT[K]> };
    for (const name of this.outputs.keys()) result[name] = this.get(name) as ValueOf<OT[typeof name]>;
    return result;
  }

  /**
   * Copies a value into an input. A tensor may bind symbolic dimensions anew (switching to that
   * specialisation; inputs whose shape stays the same keep their values); a typed array must
   * match the current shape and dtype. Allocates nothing for typed arrays.
   */
  set<K extends I, V extends Tensor | Data>(name: K, value: V & BindCheck<"set", K, IT[K], V>): this;
  set(name: I, value: Tensor | Data): this {
    // No closures here: a closure capturing `this` would allocate a context on every call.
    const data = value instanceof Tensor ? this.bindTensor(name, value) : value;
    const inst = this.current;
    if (inst === undefined) {
      if (data !== value) return this;
      throw new ValueError("set", `a tensor for input "${name}" first`, "a typed array", "a tensor binds the symbolic dimensions");
    }
    const view = inst.inputs.get(name);
    if (view === undefined) throw new ValueError("set", `one of the inputs ${[...this.inputs.keys()].join(", ")}`, `"${name}"`);
    if (data.length !== view.length || data.constructor !== view.constructor)
      throw new ValueError("set", `${view.constructor.name} data of ${view.length} elements for input "${name}" ${showShape(inst.shapes.get(name) as ConcreteShape)}`, `${data.constructor.name} of ${data.length}`);
    view.set(data);
    inst.unset.delete(name);
    return this;
  }

  /**
   * Runs the program on the inputs as set. Allocates nothing on the wasm backend (f32, i32 and
   * bool kernels). On a backend that reads results back asynchronously, await `executeAsync()`
   * before reading outputs.
   */
  execute(): void {
    const inst = this.current;
    if (inst === undefined || inst.unset.size > 0) {
      const missing = inst ? [...inst.unset] : [...this.inputs.keys()];
      throw new ValueError("execute", "every input set", `none for ${missing.map((k) => `"${k}"`).join(", ")}`, "call set(name, value) first");
    }
    inst.execute();
  }

  /** An output (or input) after `execute`: a new tensor, or copied into `out` (no allocation) of its dtype. */
  get<K extends O | I>(name: K): ValueOf<NodeOf<K, IT, OT>>;
  get<K extends O | I, A extends Data>(name: K, out: A & BindCheck<"get", K, NodeOf<K, IT, OT>, A>): A;
  get(name: O | I, out?: Data): Tensor | Data {
    const view = this.view(name);
    if (out === undefined) return new Tensor(this.shapeOf(name), this.dtypeOf(name), view.slice());
    if (out.length !== view.length || out.constructor !== view.constructor)
      throw new ValueError("get", `a ${view.constructor.name} of ${view.length} elements for "${name}"`, `${out.constructor.name} of ${out.length}`);
    out.set(view);
    return out;
  }

  /** A live typed-array view of an output (or input) in the arena, valid until the dimensions are rebound. */
  view(name: O | I): Data {
    const view = this.current?.view(name);
    if (view === undefined) {
      if (!this.inputs.has(name as I) && !this.outputs.has(name as O)) throw new ValueError("view", "an input or output name", `"${name}"`);
      throw new ValueError("view", "bound dimensions", "none yet", "set or run with tensors first");
    }
    return view;
  }

  /** The concrete shape of an output (or input) under the current binding. */
  shapeOf(name: O | I): ConcreteShape {
    this.view(name);
    return this.current?.shapes.get(name) as ConcreteShape;
  }

  /**
   * The schedule under the current binding, one line per step: which nodes each kernel fuses,
   * which matrix products read an operand transposed, what runs in the interpreter.
   * @example
   * console.log(compile({ x, w, b }, { y: relu(add(matmul(x, w), b)) }).describe());
   * // 1. matmul 32×784·784×128
   * // 2. fused add, compare, where over [32,128]
   */
  describe(): string {
    const inst = this.current;
    if (inst === undefined) throw new ValueError("describe", "bound dimensions", "none yet", "set or run with tensors first");
    const { plan: p, layout: l } = inst.specialised;
    return [...p.steps.map((step, i) => `${i + 1}. ${describeStep(step, p)}`), `arena: ${l.size} bytes`].join("\n");
  }

  private dtypeOf(name: O | I): DType {
    return ((this.outputs.get(name as O) ?? this.inputs.get(name as I)) as Expr).dtype;
  }

  /** Validates a tensor for an input and binds its dimensions (switching instance, or holding the value until all are bound). */
  private bindTensor(name: I, value: Tensor): Data {
    const node = this.inputs.get(name);
    if (node === undefined) throw new ValueError("set", `one of the inputs ${[...this.inputs.keys()].map((k) => `"${k}"`).join(", ")}`, `"${name}"`);
    const { dims } = bindInputs([node], new Map([[node, value]]), "set");
    const known = this.current?.dims ?? this.pendingDims;
    if (this.current === undefined || [...dims].some(([d, n]) => known.get(d) !== n)) this.rebind(dims);
    if (this.current === undefined) this.pending.set(name, value.data);
    return value.data;
  }

  /** Switches to the instance for new dimension values, carrying over inputs whose shape is unchanged. */
  private rebind(dims: ReadonlyMap<string, number>): void {
    const old = this.current;
    const merged = new Map([...(old?.dims ?? this.pendingDims), ...dims]);
    if (this.compiled.symbols.some((d) => !merged.has(d))) {
      // Not all dimensions known yet: tensors set so far wait for the rest.
      this.pendingDims = merged;
      return;
    }
    const inst = this.instance(merged);
    if (inst === old) return;
    for (const name of this.inputs.keys()) inst.unset.add(name);
    if (old) {
      for (const name of this.inputs.keys()) {
        if (!old.unset.has(name) && sameShape(old.shapes.get(name) as ConcreteShape, inst.shapes.get(name) as ConcreteShape)) {
          (inst.inputs.get(name) as Data).set(old.inputs.get(name) as Data);
          inst.unset.delete(name);
        }
      }
    }
    this.current = inst;
    for (const [name, data] of this.pending) {
      const view = inst.inputs.get(name) as Data;
      if (view.length === data.length) {
        view.set(data);
        inst.unset.delete(name);
      }
    }
    this.pending.clear();
  }

  private instance(dims: ReadonlyMap<string, number>): Instance {
    const key = this.compiled.key(dims);
    let inst = this.instances.get(key);
    if (inst === undefined) {
      inst = new Instance(this.compiled.specialise(dims), this.compiled);
      this.instances.set(key, inst);
    }
    return inst;
  }
}

function describeStep(step: Step, p: Plan): string {
  const shape = (e: Expr): string => showShape(p.shapes.get(e) as ConcreteShape);
  switch (step.kind) {
    case "fused": {
      const ops = step.nodes.map((n) => n.node.op);
      const what = ops.length ? `fused ${ops.join(", ")}${step.reduce ? ` then ${step.reduce}` : ""}` : (step.reduce ?? `copy of ${step.out.op}`);
      return `${what} over ${showShape(step.shape)}`;
    }
    case "loop":
      return `one loop of ${step.parts.map((s) => describeStep(s, p).replace(/ over .*$/, "")).join("; ")} over ${showShape((step.parts[0] as FusedStep).shape)}`;
    case "matmul": {
      const side = (rows: number, cols: number, t: boolean): string => (t ? `(${cols}×${rows})ᵀ` : `${rows}×${cols}`);
      const batch = step.batch > 1 ? `${step.batch} × ` : "";
      return `matmul ${batch}${side(step.m, step.k, step.a.transposed)}·${side(step.k, step.n, step.b.transposed)}`;
    }
    case "native":
      return `${step.out.op} → ${shape(step.out)}`;
    case "interpret":
      return `interpreted ${step.out.op} → ${step.out.dtype}${shape(step.out)}`;
    case "copy":
      return `copy ${step.size} elements (donation)`;
  }
}

/** Compilations by graph: nodes are hash-consed, so equal graphs have equal node ids while they live. */
const backendIds = new WeakMap<Backend, number>();
let backendCount = 0;
const cache = new Map<string, WeakRef<Compiled>>();
const registry = new FinalizationRegistry<string>((key) => {
  if (cache.get(key)?.deref() === undefined) cache.delete(key);
});

/** Validates the arguments of `compile` and returns a new program over the (cached) compilation of the graph. */
export function compileWith<I extends string, O extends string, IT extends Nodes<I> = Nodes<I>, OT extends Nodes<O> = Nodes<O>>(
  backend: Backend,
  inputs: IT & Nodes<I>,
  outputs: OT & Nodes<O>,
  donate: Partial<Record<O, I>> = {},
): Program<I, O, IT, OT> {
  const ins = new Map(Object.entries(inputs) as [I, Expr][]);
  const outs = new Map(Object.entries(outputs) as [O, Expr][]);
  for (const [name, e] of ins) {
    if (!isOp(e, "input") || e.params.name !== name)
      throw new ValueError("compile", `inputs given as { name: input("name", …) }`, `"${name}": ${e.toString()}`, "list the input nodes under their own names");
  }
  const used = inputsOf([...outs.values()]);
  const missing = [...used.keys()].filter((n) => ins.get(n as I) !== used.get(n));
  if (missing.length) throw new ValueError("compile", "every input the outputs use to be listed in `inputs`", `${missing.map((k) => `"${k}"`).join(", ")} missing`);
  const donations = new Map<string, string>();
  for (const [o, i] of Object.entries(donate) as [string, string | undefined][]) {
    if (i === undefined) continue;
    const out = outs.get(o as O);
    const x = ins.get(i as I);
    if (out === undefined || x === undefined) throw new ValueError("compile", "donate: { outputName: inputName }", `{ ${o}: ${i} }`, "both names must exist");
    if (out.dtype !== x.dtype || !sameShape(out.shape, x.shape))
      throw new ShapeError("compile", `donated output "${o}" of input "${i}"'s shape and dtype ${x.dtype}${showShape(x.shape)}`, `${out.dtype}${showShape(out.shape)}`);
    if ([...donations.values()].includes(i)) throw new ValueError("compile", `one output donated to input "${i}"`, "several");
    donations.set(o, i);
  }
  if (!backendIds.has(backend)) backendIds.set(backend, backendCount++);
  const key = [`${backend.name}#${backendIds.get(backend)}`, ...[...ins].map(([n, e]) => `${n}=${e.id}`), "|", ...[...outs].map(([n, e]) => `${n}=${e.id}`), "|", ...[...donations].map(([o, i]) => `${o}>${i}`)].join(" ");
  let compiled = cache.get(key)?.deref();
  if (compiled === undefined) {
    compiled = new Compiled(ins, outs, donations, backend);
    cache.set(key, new WeakRef(compiled));
    registry.register(compiled, key);
  }
  return new Program<I, O, IT, OT>(compiled);
}
