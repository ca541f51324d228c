// Training sessions: a compiled step whose state (parameters, buffers, moments) stays in the
// program's memory. A step writes the batch into the program's input views, runs, and reads the
// loss: O(1) host work and no allocation. Steps are built and compiled once per model, loss,
// optimiser (by recipe), options and batch signature, and shared by every session and `fit` call;
// each session instantiates its own programs, so its memory is its own.
import { type Batch, type CompileOptions, type Data, type Program, Tensor, ValueError, compile, foldIn, inputsOf } from "@typegrad/core";
import type { ModelValues } from "../checkpoint/stateDict.js";
import type { Layer } from "../layer.js";
import type { Loss } from "../losses.js";
import { type Optimizer, dtypeOf } from "../optim/optimizer.js";
import { recipeOf } from "../optim/recipe.js";
import { type Params, mapTree } from "../tree.js";
import { checkBatch } from "./check.js";
import { NonFiniteError } from "./finite.js";
import { type StepGraph, type TrainOptions, type TrainState, prefixed, stepGraph } from "./step.js";

/** What defines a training step, besides the shapes. */
export interface StepSpec {
  readonly model: Layer;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  readonly checkFinite: boolean;
  /** Threads of the compiled programs (`compile`'s option). */
  readonly threads: number | "auto";
  /** Relaxed-SIMD kernels allowed (`compile`'s option). */
  readonly relaxedSimd: boolean;
}

/** The spec of a step from `trainStep`'s (or `fit`'s) options, with their defaults. */
export const specOf = (model: Layer, loss: Loss, optimizer: Optimizer, options: TrainOptions): StepSpec => ({
  model,
  loss,
  optimizer,
  checkFinite: options.checkFinite ?? true,
  threads: options.threads ?? "auto",
  relaxedSimd: options.relaxedSimd ?? false,
});

/** `compile`'s options for a step of `spec`. */
const compileOptions = ({ threads, relaxedSimd }: StepSpec, { donate }: StepGraph): CompileOptions => ({ donate, threads, relaxedSimd });

/** A built step: its graph, a program kept so the compilation stays cached, and whether it draws random numbers. */
interface Built {
  readonly graph: StepGraph;
  readonly template: Program;
  readonly usesKey: boolean;
}

const built = new WeakMap<Layer, WeakMap<Loss, WeakMap<Optimizer, Map<string, Built>>>>();
/** The first optimiser seen with each recipe: equal optimisers made apart share its steps. */
const canonical = new Map<string, Optimizer>();

function getOrMake<K, V>(map: { get(k: K): V | undefined; set(k: K, v: V): unknown }, k: K, make: () => V): V {
  let v = map.get(k);
  if (v === undefined) map.set(k, (v = make()));
  return v;
}

const signature = (b: Batch, dtype: string): string => `${dtype} ${b.x.dtype}[${b.x.shape.join(",")}] ${b.y.dtype}[${b.y.shape.join(",")}]`;

/** The built step of `spec` for a batch's shapes, building and compiling it on first use. */
function stepFor(spec: StepSpec, ts: TrainState, batch: Batch): Built {
  const recipe = recipeOf(spec.optimizer);
  const optimizer = recipe === undefined ? spec.optimizer : getOrMake(canonical, recipe, () => spec.optimizer);
  const byLoss = getOrMake(built, spec.model, () => new WeakMap<Loss, WeakMap<Optimizer, Map<string, Built>>>());
  const byOptimizer = getOrMake(byLoss, spec.loss, () => new WeakMap<Optimizer, Map<string, Built>>());
  const bySignature = getOrMake(byOptimizer, optimizer, () => new Map<string, Built>());
  return getOrMake(bySignature, `${spec.checkFinite} ${spec.threads} ${spec.relaxedSimd} ${signature(batch, dtypeOf(ts.params, "trainStep", "f32"))}`, () => {
    const graph = stepGraph(spec.model, spec.loss, optimizer, ts, batch, { checkFinite: spec.checkFinite });
    const template = compile(graph.inputs, graph.outputs, compileOptions(spec, graph));
    return { graph, template, usesKey: inputsOf(Object.values(graph.outputs)).has("key") };
  });
}

/** Whether two shapes are equal: core's `sameShape` as a plain loop, which allocates nothing (it runs every step). */
export const sameDims = (a: Tensor["shape"], b: Tensor["shape"]): boolean => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** One program of a session with its views: written and read every step without lookups. */
interface Bound {
  readonly built: Built;
  readonly program: Program;
  readonly x: Data;
  readonly y: Data;
  readonly key: Int32Array | undefined;
  readonly loss: Data;
  readonly finite: Data | undefined;
  readonly output: Tensor;
  readonly xShape: Tensor["shape"];
  readonly yShape: Tensor["shape"];
  readonly xDtype: string;
  readonly yDtype: string;
  /** Parameters and buffers over the program's memory, made on first use. */
  live?: ModelValues;
}

/** A training run whose state lives in compiled programs (one per batch signature). */
export class Session {
  private current: Bound | undefined;
  private readonly programs: Map<Built, Bound>;
  /** Steps taken: the position in the dropout key stream. */
  private steps: number;

  constructor(
    private readonly spec: StepSpec,
    private readonly start: TrainState,
    programs?: Map<Built, Bound>,
  ) {
    this.steps = start.step;
    this.programs = programs ?? new Map();
  }

  /** One step; returns the loss (before the update). A step that throws changes no state. */
  step(batch: Batch): number {
    const { x, y } = batch;
    let b = this.current;
    if (b === undefined || x.dtype !== b.xDtype || y.dtype !== b.yDtype || !sameDims(x.shape, b.xShape) || !sameDims(y.shape, b.yShape)) b = this.bind(batch);
    b.x.set(x.data);
    b.y.set(y.data);
    if (b.key !== undefined) foldIn(this.start.key, this.steps, b.key);
    b.program.execute();
    const loss = b.loss[0] as number;
    if (b.finite !== undefined && b.finite[0] === 0) throw new NonFiniteError(loss, this.steps);
    this.steps++;
    return loss;
  }

  /** The last step's model output, over the program's memory (valid until the next step). */
  output(): Tensor {
    if (this.current === undefined) throw new ValueError("trainStep", "a step before reading its output", "none yet");
    return this.current.output;
  }

  /** The current state as plain tensors (copied out). */
  snapshot(): TrainState {
    const program = this.current?.program;
    const read = (prefix: string, like: Params): Params => (program ? mapTree(like, (_t, path) => program.get(`${prefix}:${path}`)) : like);
    const { params, state, opt, key } = this.start;
    return { params: read("param", params), state: read("state", state), opt: read("opt", opt), key, step: this.steps };
  }

  /** Parameters and buffers as tensors over the program's memory (no copy; they change with every step). */
  live(): ModelValues {
    const b = this.current;
    if (b === undefined) return this.start;
    const view = (prefix: string, like: Params): Params => mapTree(like, (t, path) => new Tensor(t.shape, t.dtype, b.program.view(`${prefix}:${path}`)));
    b.live ??= { params: view("param", this.start.params), state: view("state", this.start.state) };
    return b.live;
  }

  /** Switches to the program for this batch's shapes, carrying the state over (or loading the start state). */
  private bind(batch: Batch): Bound {
    checkBatch(batch, "trainStep");
    if (batch.x.shape[0] === 0) throw new ValueError("trainStep", "a batch of at least one sample", "0 rows", "drop empty batches before training");
    const built = stepFor(this.spec, this.start, batch);
    const previous = this.current;
    let b = this.programs.get(built);
    if (b === undefined) {
      const program = compile(built.graph.inputs, built.graph.outputs, compileOptions(this.spec, built.graph));
      program.set("x", batch.x).set("y", batch.y).set("key", this.start.key);
      const key = program.view("key");
      b = {
        built,
        program,
        x: program.view("x"),
        y: program.view("y"),
        key: built.usesKey && key instanceof Int32Array ? key : undefined,
        loss: program.view("loss"),
        finite: built.graph.outputs.finite ? program.view("finite") : undefined,
        output: new Tensor(program.shapeOf("output"), built.graph.outputs.output?.dtype ?? "f32", program.view("output")),
        xShape: [...batch.x.shape],
        yShape: [...batch.y.shape],
        xDtype: batch.x.dtype,
        yDtype: batch.y.dtype,
      };
      this.programs.set(built, b);
    }
    if (b !== previous) {
      const initial = { ...prefixed<Tensor>("param", this.start.params), ...prefixed<Tensor>("state", this.start.state), ...prefixed<Tensor>("opt", this.start.opt) };
      for (const name of Object.keys(built.graph.donate)) b.program.set(name, previous ? previous.program.view(name) : (initial[name] as Tensor));
    }
    this.current = b;
    return b;
  }
}
