// Programs: a compiled graph that binds inputs, runs and returns outputs, specialised (and cached)
// per binding of its symbolic dimensions. Backends supply the kernels; this module owns the rest.
import type { Expr } from "../graph/expr.js";
import { inputsOf } from "../graph/topo.js";
import { bindInputs } from "../graph/bind.js";
import { type ConcreteShape, ShapeError, ValueError, sameShape, showShape } from "../shape/shape.js";
import type { ArrayFor, DType } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";
import { BYTES, type Layout, layout } from "./memory.js";
import { type Lowering, type Plan, plan } from "./plan.js";
import type { Place } from "./view.js";

/** A typed array of any dtype, as `set` accepts and `view` returns. */
export type Data = ArrayFor<DType>;

/** The kernels of one specialised plan over one arena. */
export interface Executable {
  /** The arena: all tensor data of the program. Never resized, so views into it stay valid. */
  readonly memory: ArrayBuffer;
  /** Runs every step once. */
  readonly execute: () => void;
}

/** A way to run plans: what it computes natively, and how it builds an executable. */
export interface Backend {
  readonly name: "wasm" | "js";
  readonly lowering: Lowering;
  build(plan: Plan, layout: Layout): Executable;
}

/** Options of `compile`. */
export interface CompileOptions<I extends string = string, O extends string = string> {
  /** `wasm` (default where WebAssembly SIMD is available) or `js`, the reference interpreter. */
  readonly backend?: "wasm" | "js";
  /** Outputs that overwrite inputs of the same shape and dtype (parameters, optimiser state). */
  readonly donate?: Partial<Record<O, I>>;
}

/** A typed array over the arena. */
export function arrayView(dtype: DType, buffer: ArrayBuffer, byteOffset: number, length: number): Data {
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

/** One specialisation: a plan for concrete dimensions, its arena and views of the inputs and outputs. */
class Specialisation {
  readonly views = new Map<string, Data>();
  readonly shapes = new Map<string, ConcreteShape>();
  readonly execute: () => void;
  /** Inputs not set since this specialisation became current. */
  readonly unset: Set<string>;

  constructor(
    readonly dims: ReadonlyMap<string, number>,
    inputs: ReadonlyMap<string, Expr>,
    outputs: ReadonlyMap<string, Expr>,
    donate: ReadonlyMap<string, string>,
    backend: Backend,
  ) {
    const p = plan(inputs, outputs, donate, dims, backend.lowering);
    const l = layout(p);
    const exe = backend.build(p, l);
    this.execute = exe.execute;
    const viewOf = (e: Expr, place: Place): Data => {
      const length = (p.shapes.get(e) as ConcreteShape).reduce((a, b) => a * b, 1);
      return arrayView(e.dtype, exe.memory, (l.offsets[place.slot] as number) + place.offset * BYTES[e.dtype], length);
    };
    for (const [name, e] of [...inputs, ...outputs]) {
      const place = (p.inputs.get(name) ?? p.outputs.get(name)) as Place;
      this.views.set(name, viewOf(e, place));
      this.shapes.set(name, p.shapes.get(e) as ConcreteShape);
    }
    for (const [i, s] of p.slots.entries()) {
      if (s.kind === "constant") arrayView(s.dtype, exe.memory, l.offsets[i] as number, s.size).set((s.node.params as { value: Tensor }).value.data);
    }
    this.unset = new Set(inputs.keys());
  }
}

const dimsKey = (names: readonly string[], dims: ReadonlyMap<string, number>): string => names.map((n) => dims.get(n)).join(",");

/**
 * A compiled graph. `run` binds tensors and returns new tensors; for loops that must not allocate,
 * `set` inputs (tensors or typed arrays), `execute`, and read outputs with `get(name, out)` or `view`.
 * Donated outputs overwrite their inputs, so state carries over from one `execute` to the next.
 */
export class Program<I extends string = string, O extends string = string> {
  private readonly specs = new Map<string, Specialisation>();
  private current: Specialisation | undefined;
  private readonly symbols: readonly string[];
  private readonly donations: ReadonlyMap<string, string>;

  /** @internal Use `compile`. */
  constructor(
    readonly inputs: ReadonlyMap<I, Expr>,
    readonly outputs: ReadonlyMap<O, Expr>,
    donate: Partial<Record<O, I>>,
    readonly backend: Backend,
  ) {
    this.donations = new Map(Object.entries(donate).filter((e): e is [string, string] => typeof e[1] === "string"));
    this.symbols = [...new Set([...inputs.values()].flatMap((e) => e.shape.filter((d): d is string => typeof d === "string")))].sort();
    if (this.symbols.length === 0) this.current = this.specialise(new Map());
  }

  /** Names of the symbolic dimensions, bound by the shapes of the tensors given to `run` or `set`. */
  get dimensions(): readonly string[] {
    return this.symbols;
  }

  /**
   * Binds every input, runs, and returns the outputs as new tensors.
   * @example
   * const x = input("x", [3]);
   * const f = compile({ x }, { y: sum(mul(x, x)) });
   * f.run({ x: tensor([1, 2, 3]) }).y.item();   // 14
   */
  run(bindings: Readonly<Record<I, Tensor>>): { [K in O]: Tensor } {
    const { dims } = bindInputs([...this.inputs.values()], bindings, "run");
    const spec = this.specialise(dims);
    this.current = spec;
    for (const name of this.inputs.keys()) (spec.views.get(name) as Data).set(bindings[name].data);
    spec.unset.clear();
    spec.execute();
    const result = {} as { [K in O]: Tensor };
    for (const name of this.outputs.keys()) result[name] = this.get(name);
    return result;
  }

  /**
   * Copies a value into an input. A tensor may bind symbolic dimensions anew (switching to that
   * specialisation; inputs whose shape stays the same keep their values); a typed array must
   * match the current shape and dtype. Allocates nothing for typed arrays.
   */
  set(name: I, value: Tensor | Data): this {
    const node = this.inputs.get(name);
    if (node === undefined) throw new ValueError("set", `one of the inputs ${[...this.inputs.keys()].map((k) => `"${k}"`).join(", ")}`, `"${name}"`);
    if (value instanceof Tensor) {
      const { dims } = bindInputs([node], new Map([[node, value]]), "set");
      if (this.current === undefined || [...dims].some(([d, n]) => this.current?.dims.get(d) !== n)) this.rebind(dims);
      value = value.data;
    }
    const spec = this.current;
    if (spec === undefined) throw new ValueError("set", `a tensor for input "${name}" first`, "a typed array", "a tensor binds the symbolic dimensions");
    const view = spec.views.get(name) as Data;
    if (value.length !== view.length || value.constructor !== view.constructor)
      throw new ValueError("set", `${node.dtype} data of ${view.length} elements for input "${name}" ${showShape(spec.shapes.get(name) as ConcreteShape)}`, `${value.constructor.name} of ${value.length}`);
    view.set(value);
    spec.unset.delete(name);
    return this;
  }

  /** Runs the program on the inputs as set. Allocates nothing (on the wasm backend, for f32/i32/bool programs). */
  execute(): void {
    const spec = this.current;
    if (spec === undefined || spec.unset.size > 0) {
      const missing = spec ? [...spec.unset] : [...this.inputs.keys()];
      throw new ValueError("execute", "every input set", `none for ${missing.map((k) => `"${k}"`).join(", ")}`, "call set(name, value) first");
    }
    spec.execute();
  }

  /** An output (or input) after `execute`: a new tensor, or copied into `out` (no allocation). */
  get(name: O | I): Tensor;
  get<A extends Data>(name: O | I, out: A): A;
  get(name: O | I, out?: Data): Tensor | Data {
    const view = this.view(name);
    if (out === undefined) return new Tensor(this.current?.shapes.get(name) as ConcreteShape, this.dtypeOf(name), view.slice());
    if (out.length !== view.length || out.constructor !== view.constructor)
      throw new ValueError("get", `a ${view.constructor.name} of ${view.length} elements for "${name}"`, `${out.constructor.name} of ${out.length}`);
    out.set(view);
    return out;
  }

  /** A live typed-array view of an input or output in the arena (valid until the dimensions are rebound). */
  view(name: O | I): Data {
    const view = this.current?.views.get(name);
    if (view === undefined) {
      if (!this.inputs.has(name as I) && !this.outputs.has(name as O))
        throw new ValueError("view", `an input or output name`, `"${name}"`);
      throw new ValueError("view", "bound dimensions", "none yet", "set or run with tensors first");
    }
    return view;
  }

  /** The concrete shape of an input or output under the current binding. */
  shapeOf(name: O | I): ConcreteShape {
    this.view(name);
    return this.current?.shapes.get(name) as ConcreteShape;
  }

  private dtypeOf(name: O | I): DType {
    return ((this.outputs.get(name as O) ?? this.inputs.get(name as I)) as Expr).dtype;
  }

  /** Switches to the specialisation for new dimension values, carrying over inputs whose shape is unchanged. */
  private rebind(dims: ReadonlyMap<string, number>): void {
    const old = this.current;
    const merged = new Map([...(old?.dims ?? []), ...dims]);
    if (this.symbols.some((d) => !merged.has(d))) {
      const missing = this.symbols.filter((d) => !merged.has(d));
      throw new ShapeError("set", `values for the dimensions ${this.symbols.join(", ")}`, `none for ${missing.join(", ")}`, "set a tensor that has them first");
    }
    const spec = this.specialise(merged);
    if (spec === old) return;
    spec.unset.clear();
    for (const name of this.inputs.keys()) spec.unset.add(name);
    if (old) {
      for (const name of this.inputs.keys()) {
        if (!old.unset.has(name) && sameShape(old.shapes.get(name) as ConcreteShape, spec.shapes.get(name) as ConcreteShape)) {
          (spec.views.get(name) as Data).set(old.views.get(name) as Data);
          spec.unset.delete(name);
        }
      }
    }
    this.current = spec;
  }

  private specialise(dims: ReadonlyMap<string, number>): Specialisation {
    const key = dimsKey(this.symbols, dims);
    let spec = this.specs.get(key);
    if (spec === undefined) {
      spec = new Specialisation(dims, this.inputs, this.outputs, this.donations, this.backend);
      this.specs.set(key, spec);
    }
    return spec;
  }
}

/** Programs by graph: nodes are hash-consed, so equal graphs have equal node ids while they live. */
const cache = new Map<string, WeakRef<Program>>();
const registry = new FinalizationRegistry<string>((key) => {
  if (cache.get(key)?.deref() === undefined) cache.delete(key);
});

/** Validates the arguments of `compile` and returns the cached program for them, or a new one. */
export function compileWith<I extends string, O extends string>(
  backend: Backend,
  inputs: Readonly<Record<I, Expr>>,
  outputs: Readonly<Record<O, Expr>>,
  donate: Partial<Record<O, I>> = {},
): Program<I, O> {
  const ins = new Map(Object.entries(inputs) as [I, Expr][]);
  const outs = new Map(Object.entries(outputs) as [O, Expr][]);
  for (const [name, e] of ins) {
    if (e.op !== "input" || (e.params as { name: string }).name !== name)
      throw new ValueError("compile", `inputs given as { name: input("name", …) }`, `"${name}": ${e.toString()}`, "list the input nodes under their own names");
  }
  const used = inputsOf([...outs.values()]);
  const missing = [...used.keys()].filter((n) => ins.get(n as I) !== used.get(n));
  if (missing.length) throw new ValueError("compile", "every input the outputs use to be listed in `inputs`", `${missing.map((k) => `"${k}"`).join(", ")} missing`);
  const targets = new Set<string>();
  for (const [o, i] of Object.entries(donate) as [string, string | undefined][]) {
    if (i === undefined) continue;
    const out = outs.get(o as O);
    const x = ins.get(i as I);
    if (out === undefined || x === undefined) throw new ValueError("compile", "donate: { outputName: inputName }", `{ ${o}: ${i} }`, "both names must exist");
    if (out.dtype !== x.dtype || !sameShape(out.shape, x.shape))
      throw new ShapeError("compile", `donated output "${o}" of input "${i}"'s shape and dtype ${x.dtype}${showShape(x.shape)}`, `${out.dtype}${showShape(out.shape)}`);
    if (targets.has(i)) throw new ValueError("compile", `one output donated to input "${i}"`, "several");
    targets.add(i);
  }
  const key = [backend.name, ...[...ins].map(([n, e]) => `${n}=${e.id}`), "|", ...[...outs].map(([n, e]) => `${n}=${e.id}`), "|", JSON.stringify(donate)].join(" ");
  const hit = cache.get(key)?.deref();
  if (hit) return hit as Program as Program<I, O>;
  const program = new Program<I, O>(ins, outs, donate, backend);
  cache.set(key, new WeakRef(program as Program));
  registry.register(program, key);
  return program;
}
