// From a graph and concrete dimensions to a list of steps over storage slots: which nodes are
// fused into one loop, which are read in place through strided views, which need storage, and
// how donated outputs overwrite their inputs.
import { type Expr, isOp } from "../graph/expr.js";
import { topoSort } from "../graph/topo.js";
import { type OpName, traitsOf } from "../ops/index.js";
import { bindShape, sizeOf, stridesOf } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";
import { type Place, type View, broadcastView, contiguous, isContiguous, reshapeView, sliceView, transposeView } from "./view.js";

/** What a backend computes itself; everything else runs in the reference interpreter, node by node. */
export interface Lowering {
  /** Whether an elementwise or reduce node (of its dtypes) runs inside fused kernels. */
  fuses(e: Expr): boolean;
  /** Whether a kernel-role node has a native kernel. */
  native(e: Expr): boolean;
  /** Whether kernels read strided views; if not, views are computed as steps of their own. */
  readonly views: boolean;
}

/** A storage slot: one stored tensor (an input, a constant or an intermediate). */
export interface Slot {
  readonly node: Expr;
  readonly kind: "input" | "constant" | "temp";
  readonly dtype: DType;
  readonly size: number;
  /** A donated output written in place shares its input's slot. */
  mergedInto?: number;
}

/** An operand of a fused node: one of the kernel's loads, or an earlier fused node. */
export type Ref = { readonly load: number } | { readonly node: number };

/** A node computed inside a fused kernel. */
export interface FusedNode {
  readonly node: Expr & { readonly op: OpName };
  readonly args: readonly Ref[];
}

/**
 * One loop over `shape`: loads (views of that shape), elementwise nodes in order, and a store of
 * `result`; with `reduce`, the store view has stride 0 on the reduced axes and accumulates.
 */
export interface FusedStep {
  readonly kind: "fused";
  readonly out: Expr;
  readonly shape: readonly number[];
  readonly loads: readonly { readonly view: View; readonly dtype: DType }[];
  readonly nodes: readonly FusedNode[];
  readonly result: Ref;
  readonly reduce: "sum" | "max" | null;
  readonly store: View;
  readonly dtype: DType;
}

/** A matrix operand: stored row-major, or its transpose stored row-major (read without copying). */
export interface Operand {
  readonly place: Place;
  readonly transposed: boolean;
  /** Elements from one matrix of the batch to the next: 0 for a matrix broadcast over the batch. */
  readonly batchStride: number;
}

/** C[b] = A[b]·B[b] for each of `batch` matrices, A: m×k, B: k×n. */
export interface MatmulStep {
  readonly kind: "matmul";
  readonly out: Expr;
  readonly a: Operand;
  readonly b: Operand;
  readonly batch: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly place: Place;
}

/** One node computed by a backend kernel (`native`) or by the reference interpreter (`interpret`), from stored inputs. */
export interface NodeStep {
  readonly kind: "native" | "interpret";
  readonly out: Expr;
  readonly args: readonly Place[];
  readonly place: Place;
}

/** Copies `size` elements (a donated output into its input, when it cannot be written in place). */
export interface CopyStep {
  readonly kind: "copy";
  readonly from: Place;
  readonly to: Place;
  readonly size: number;
  readonly dtype: DType;
}

/**
 * Fused kernels over one iteration shape, none a reduction, run as one loop (multi-output fusion):
 * element i of every part is computed before element i + 1 of any, so parts that share inputs read
 * them while they are in cache, and a part reads what an earlier one wrote at the same element.
 */
export interface LoopStep {
  readonly kind: "loop";
  readonly parts: readonly FusedStep[];
}

export type Step = FusedStep | LoopStep | MatmulStep | NodeStep | CopyStep;

/** A graph specialised to concrete shapes, as steps over slots. */
export interface Plan {
  readonly slots: readonly Slot[];
  readonly steps: readonly Step[];
  readonly shapes: ReadonlyMap<Expr, readonly number[]>;
  /** Where each input is bound and each output is read. */
  readonly inputs: ReadonlyMap<string, Place>;
  readonly outputs: ReadonlyMap<string, Place>;
}

/** The slots a step reads. */
export function stepReads(step: Step): number[] {
  switch (step.kind) {
    case "fused":
      return [...step.loads.map((l) => l.view.place.slot), ...(step.reduce ? [step.store.place.slot] : [])];
    case "loop":
      return step.parts.flatMap(stepReads);
    case "matmul":
      return [step.a.place.slot, step.b.place.slot];
    case "native":
    case "interpret":
      return step.args.map((p) => p.slot);
    case "copy":
      return [step.from.slot];
  }
}

/** The slots a step writes. */
export function stepWrites(step: Step): number[] {
  switch (step.kind) {
    case "fused":
      return [step.store.place.slot];
    case "loop":
      return step.parts.flatMap(stepWrites);
    case "copy":
      return [step.to.slot];
    default:
      return [step.place.slot];
  }
}

/** Most nodes recomputed in one kernel for one stored value avoided. */
const MAX_RECOMPUTED = 8;
/**
 * The most nodes one kernel (or one multi-output loop) computes. WebAssembly engines cap a
 * function's size (V8: 7,654,321 bytes) and its locals; a longer elementwise chain is cut into
 * kernels of this many nodes, each storing its result for the next.
 */
export const MAX_KERNEL_NODES = 2000;

const matrixSize = (shape: readonly number[]): number => (shape[shape.length - 1] as number) * (shape[shape.length - 2] as number);

/**
 * Reads a batch of matrices in place when possible: each matrix row-major (or, with `transpose`
 * allowed, its transpose row-major), and the batch either contiguous or one matrix repeated.
 */
function matrixView(e: Expr, transpose: boolean, viewOf: (e: Expr) => View): Operand | null {
  const transposed = transpose && isMatrixTranspose(e);
  const v = viewOf(transposed ? (e.inputs[0] as Expr) : e);
  const r = v.shape.length;
  const [rows, cols] = [v.shape[r - 2] as number, v.shape[r - 1] as number];
  const rowMajor = (cols === 1 || v.strides[r - 1] === 1) && (rows === 1 || v.strides[r - 2] === cols);
  const batch = v.strides.slice(0, -2);
  const repeated = batch.every((s) => s === 0);
  if (!rowMajor || !(repeated || isContiguous(v))) return null;
  return { place: v.place, transposed, batchStride: repeated ? 0 : rows * cols };
}

/** Is `e` a transpose of the last two axes only (a batch of matrix transposes)? */
function isMatrixTranspose(e: Expr): boolean {
  if (!isOp(e, "transpose")) return false;
  const perm = e.params.perm;
  const r = perm.length;
  return r >= 2 && perm.every((a, i) => (i < r - 2 ? a === i : i === r - 2 ? a === r - 1 : a === r - 2));
}

/**
 * Plans a graph for concrete dimensions: fusion into kernels, storage and views, the steps in
 * order, donation, then loops over several kernels of one shape.
 */
export function plan(
  inputs: ReadonlyMap<string, Expr>,
  outputs: ReadonlyMap<string, Expr>,
  donate: ReadonlyMap<string, string>,
  dims: ReadonlyMap<string, number>,
  lowering: Lowering,
): Plan {
  const order = topoSort([...outputs.values(), ...inputs.values()]);
  const shapes = new Map(order.map((e) => [e, bindShape(e.shape, dims, e.op)] as const));
  const shapeOf = (e: Expr): readonly number[] => shapes.get(e) as readonly number[];
  const fusion = fuse(order, new Set(outputs.values()), lowering);
  const storage = new Storage(shapeOf);
  for (const e of order) if (!insideKernel(e, fusion)) placeNode(e, fusion.group.get(e) === e, storage, lowering);
  const outputPlaces = new Map([...outputs].map(([name, o]) => [name, storage.dense(o).place] as const));
  const steps = order.flatMap((e) => (insideKernel(e, fusion) ? [] : stepsOf(e, order, fusion, storage, lowering)));
  const donated = applyDonation(donate, inputs, outputs, outputPlaces, storage.slots, steps, shapeOf);
  const inputPlaces = new Map([...inputs].map(([n, e]) => [n, storage.viewOf(e).place] as const));
  return { slots: storage.slots, steps: loops(donated.steps, storage.slots), shapes, inputs: inputPlaces, outputs: donated.outputs };
}

/** Fusion groups: `group` maps a fused node to its kernel's root; a `recomputed` node is computed in every kernel that reads it. */
interface Fusion {
  readonly group: Map<Expr, Expr>;
  readonly recomputed: Set<Expr>;
}

/** Whether a node is computed inside a kernel rooted elsewhere (so it has no step and no storage of its own). */
const insideKernel = (e: Expr, { group, recomputed }: Fusion): boolean => (group.has(e) && group.get(e) !== e) || recomputed.has(e);

/**
 * Fusion, from the outputs backwards: an elementwise node joins the kernel of its users when it
 * is not an output and all its users are in one kernel, so no value is computed twice and every
 * kernel has a single output. A reduction ends a kernel. A cheap node whose users sit in several
 * kernels is recomputed in each instead of stored.
 */
function fuse(order: readonly Expr[], isOutput: ReadonlySet<Expr>, lowering: Lowering): Fusion {
  const users = new Map<Expr, Set<Expr>>(order.map((e) => [e, new Set()]));
  for (const e of order) for (const x of e.inputs) users.get(x)?.add(e);
  const fusion: Fusion = { group: new Map(), recomputed: new Set() };
  const { group, recomputed } = fusion;
  const fusedUser = (u: Expr): boolean => group.has(u) || recomputed.has(u);
  const members = new Map<Expr, number>();
  for (const e of [...order].reverse()) {
    const { role, cheap } = traitsOf(e.op);
    if ((role !== "elementwise" && role !== "reduce") || !lowering.fuses(e)) continue;
    const us = [...(users.get(e) as Set<Expr>)];
    const g = us[0] === undefined ? undefined : group.get(us[0]);
    const inner = role === "elementwise" && !isOutput.has(e) && us.length > 0;
    const room = g !== undefined && (members.get(g) ?? 1) < MAX_KERNEL_NODES;
    if (inner && g !== undefined && room && us.every((u) => group.get(u) === g)) {
      group.set(e, g);
      members.set(g, (members.get(g) ?? 1) + 1);
    } else if (inner && cheap && us.every(fusedUser)) recomputed.add(e);
    else group.set(e, e);
  }
  boundRecomputation(order, fusion);
  return fusion;
}

/** Recomputation stays bounded: a node that would drag a long chain into each kernel is stored. */
function boundRecomputation(order: readonly Expr[], { group, recomputed }: Fusion): void {
  const cone = new Map<Expr, number>();
  for (const e of order) {
    if (!recomputed.has(e)) continue;
    const size = e.inputs.reduce((n, x) => n + (cone.get(x) ?? 0), 1);
    if (size > MAX_RECOMPUTED) {
      recomputed.delete(e);
      group.set(e, e);
    } else cone.set(e, size);
  }
}

/** Where values live: slots of the arena, and the view through which each node is read. */
class Storage {
  readonly slots: Slot[] = [];
  private readonly views = new Map<Expr, View>();
  /** Views that must be copied into storage of their own (read as a whole by a kernel or returned). */
  readonly copied = new Map<Expr, View>();
  /** The operands of natively run matrix products, read in place where their layout allows. */
  readonly matrixArgs = new Map<Expr, [Operand, Operand]>();

  constructor(readonly shapeOf: (e: Expr) => readonly number[]) {}

  /** A new slot holding `e` contiguously. */
  store(e: Expr, kind: Slot["kind"]): View {
    this.slots.push({ node: e, kind, dtype: e.dtype, size: sizeOf(this.shapeOf(e)) });
    const v = contiguous({ slot: this.slots.length - 1, offset: 0 }, this.shapeOf(e));
    this.views.set(e, v);
    return v;
  }

  viewOf(e: Expr): View {
    return this.views.get(e) as View;
  }

  setView(e: Expr, v: View): void {
    this.views.set(e, v);
  }

  /** The node in contiguous storage, copying a strided view first if needed. */
  dense(e: Expr): View {
    const v = this.viewOf(e);
    if (isContiguous(v)) return v;
    this.copied.set(e, v);
    return this.store(e, "temp");
  }
}

/** Gives a node that is not inside a kernel its storage: a slot, or a view of its input's. */
function placeNode(e: Expr, kernelRoot: boolean, s: Storage, lowering: Lowering): void {
  const x = e.inputs[0] as Expr;
  switch (kernelRoot ? "fused" : traitsOf(e.op).role) {
    case "leaf":
      s.store(e, e.op === "input" ? "input" : "constant");
      break;
    case "fused":
      s.store(e, "temp");
      break;
    case "alias":
      s.setView(e, reshapeView(s.viewOf(x), s.shapeOf(e)) ?? contiguous(s.dense(x).place, s.shapeOf(e)));
      break;
    case "view":
      if (lowering.views) s.setView(e, strided(e, s.viewOf(x), s.shapeOf(e)));
      else s.store(e, "temp");
      break;
    default:
      if (e.op === "matmul" && lowering.native(e)) s.matrixArgs.set(e, matrixOperands(e, s));
      else if (!(e.op === "concat" && lowering.views)) for (const i of e.inputs) s.dense(i);
      s.store(e, "temp");
  }
}

/** The strided view a view-role node reads its input through. */
function strided(e: Expr, input: View, shape: readonly number[]): View {
  if (isOp(e, "transpose")) return transposeView(input, e.params.perm);
  if (isOp(e, "slice")) return sliceView(input, e.params.axis, e.params.start, e.params.end);
  return broadcastView(input, shape);
}

/** Aᵀ·B and A·Bᵀ read the stored matrix directly; one operand at most is read transposed. */
function matrixOperands(e: Expr, s: Storage): [Operand, Operand] {
  const [a, b] = e.inputs as [Expr, Expr];
  const viewOf = (x: Expr): View => s.viewOf(x);
  const ma = matrixView(a, true, viewOf);
  const mb = matrixView(b, !ma?.transposed, viewOf);
  const operand = (m: Expr, v: Operand | null): Operand => v ?? { place: s.dense(m).place, transposed: false, batchStride: matrixSize(s.shapeOf(m)) };
  return [operand(a, ma), operand(b, mb)];
}

/** The steps computing a node that is not inside a kernel: none for leaves and views, else a copy, a kernel or an interpreted node. */
function stepsOf(e: Expr, order: readonly Expr[], fusion: Fusion, s: Storage, lowering: Lowering): Step[] {
  const place = s.viewOf(e).place;
  const shape = s.shapeOf(e);
  const source = s.copied.get(e);
  const role = traitsOf(e.op).role;
  if (source) return [copyKernel(e, source, contiguous(place, shape))];
  if (fusion.group.get(e) === e) return [fusedKernel(e, order, fusion, (x) => s.viewOf(x), s.shapeOf, place)];
  if (role === "leaf" || role === "alias" || (role === "view" && lowering.views)) return [];
  const operands = s.matrixArgs.get(e);
  if (operands !== undefined) {
    const r = shape.length;
    const k = s.shapeOf(e.inputs[0] as Expr)[r - 1] as number;
    return [{ kind: "matmul", out: e, a: operands[0], b: operands[1], batch: sizeOf(shape.slice(0, -2)), m: shape[r - 2] as number, k, n: shape[r - 1] as number, place }];
  }
  if (isOp(e, "concat") && lowering.views) {
    // A join is one copy per part, each into its slice of the result, read through the part's view.
    const axis = e.params.axis;
    let start = 0;
    return e.inputs.map((x) => {
      const len = s.shapeOf(x)[axis] as number;
      start += len;
      return copyKernel(e, s.viewOf(x), sliceView(contiguous(place, shape), axis, start - len, start));
    });
  }
  return [{ kind: role === "kernel" && lowering.native(e) ? "native" : "interpret", out: e, args: e.inputs.map((i) => s.viewOf(i).place), place }];
}

/** A kernel that copies a view into a store view of the same shape. */
function copyKernel(e: Expr, source: View, store: View): FusedStep {
  return { kind: "fused", out: e, shape: store.shape, loads: [{ view: source, dtype: e.dtype }], nodes: [], result: { load: 0 }, reduce: null, store, dtype: e.dtype };
}

function fusedKernel(
  root: Expr,
  order: readonly Expr[],
  { group, recomputed }: Fusion,
  viewOf: (e: Expr) => View,
  shapeOf: (e: Expr) => readonly number[],
  place: Place,
): FusedStep {
  const reduce = traitsOf(root.op).role === "reduce" ? (root.op as "sum" | "max") : null;
  const shape = reduce ? shapeOf(root.inputs[0] as Expr) : shapeOf(root);
  const loads: { view: View; dtype: DType }[] = [];
  const loadIndex = new Map<Expr, number>();
  const nodes: FusedNode[] = [];
  const nodeIndex = new Map<Expr, number>();
  const compute = (e: Expr): Ref => {
    nodes.push({ node: e, args: e.inputs.map(ref) });
    nodeIndex.set(e, nodes.length - 1);
    return { node: nodes.length - 1 };
  };
  const ref = (x: Expr): Ref => {
    const n = nodeIndex.get(x);
    if (n !== undefined) return { node: n };
    if (recomputed.has(x)) return compute(x);
    if (!loadIndex.has(x)) {
      loadIndex.set(x, loads.length);
      loads.push({ view: viewOf(x), dtype: x.dtype });
    }
    return { load: loadIndex.get(x) as number };
  };
  for (const e of order) if (group.get(e) === root && !(reduce && e === root)) compute(e);
  const result = reduce ? ref(root.inputs[0] as Expr) : ({ node: nodes.length - 1 } as const);
  let store = contiguous(place, shape);
  if (reduce) {
    const axes = isOp(root, "sum") || isOp(root, "max") ? root.params.axes : [];
    const kept = stridesOf(shape.map((d, i) => (axes.includes(i) ? 1 : d)));
    store = { place, shape, strides: kept.map((s, i) => (axes.includes(i) ? 0 : s)) };
  }
  return { kind: "fused", out: root, shape, loads, nodes, result, reduce, store, dtype: root.dtype };
}

/**
 * Donation: output o overwrites input x. The kernel computing o writes into x's slot directly when
 * it reads x only element by element, nothing after it reads x, and no step after it can fail (a
 * gather checking its indices); otherwise o is computed apart and copied into x at the end. So a
 * run that throws leaves every donated input as it was. Outputs still sitting in a donated input's
 * slot are copied first.
 */
function applyDonation(
  donate: ReadonlyMap<string, string>,
  inputs: ReadonlyMap<string, Expr>,
  outputs: ReadonlyMap<string, Expr>,
  outputPlaces: Map<string, Place>,
  slots: Slot[],
  steps: Step[],
  shapeOf: (e: Expr) => readonly number[],
): { steps: Step[]; outputs: Map<string, Place> } {
  const lastFallible = steps.findLastIndex((s) => (s.kind === "native" || s.kind === "interpret") && s.out.op === "take");
  const targets = new Map([...donate].map(([o, x]) => [placeOfInput(inputs, x, slots).slot, o] as const));
  const first: Step[] = [];
  const last: Step[] = [];
  const snapshot = (name: string, p: Place, o: Expr): Place => {
    slots.push({ node: o, kind: "temp", dtype: o.dtype, size: sizeOf(shapeOf(o)) });
    const to = { slot: slots.length - 1, offset: 0 };
    first.push({ kind: "copy", from: p, to, size: slots[to.slot]?.size as number, dtype: o.dtype });
    outputPlaces.set(name, to);
    return to;
  };
  // An output read from an input that a donation overwrites is saved before the program runs.
  for (const [name, o] of outputs) {
    const p = outputPlaces.get(name) as Place;
    const by = targets.get(p.slot);
    if (by !== undefined && by !== name && (slots[p.slot] as Slot).kind === "input") snapshot(name, p, o);
  }
  for (const [name, inName] of donate) {
    const o = outputs.get(name) as Expr;
    const x = placeOfInput(inputs, inName, slots);
    const from = outputPlaces.get(name) as Place;
    if (from.slot === x.slot && from.offset === 0) continue;
    const at = steps.findIndex((s) => s.kind === "fused" && s.out === o && !s.reduce);
    const kernel = steps[at] as FusedStep | undefined;
    const elementwise = (v: View): boolean =>
      v.place.slot !== x.slot || (v.place.offset === 0 && isContiguous(v) && v.strides.every((s, i) => s !== 0 || v.shape[i] === 1));
    const inPlace =
      kernel !== undefined &&
      at > lastFallible &&
      steps.filter((s) => stepWrites(s).includes(from.slot)).length === 1 &&
      kernel.store.place.slot === from.slot &&
      (slots[from.slot] as Slot).kind === "temp" &&
      kernel.loads.every((l) => elementwise(l.view)) &&
      steps.slice(at + 1).every((s) => !stepReads(s).includes(x.slot));
    if (inPlace) (slots[from.slot] as Slot).mergedInto = x.slot;
    else last.push({ kind: "copy", from, to: x, size: sizeOf(shapeOf(o)), dtype: o.dtype });
    outputPlaces.set(name, x);
  }
  return { steps: [...first, ...steps, ...last], outputs: outputPlaces };
}

const placeOfInput = (inputs: ReadonlyMap<string, Expr>, name: string, slots: readonly Slot[]): Place => {
  const node = inputs.get(name);
  return { slot: slots.findIndex((s) => s.node === node && s.kind === "input"), offset: 0 };
};

/**
 * Multi-output fusion: consecutive fused kernels of one iteration shape join one loop when each
 * reads what another writes only at the same element. A single-element kernel independent of the
 * loop being gathered runs before it instead of ending it (Adam's bias corrections between a
 * parameter's moment and update kernels).
 */
function loops(steps: readonly Step[], slots: readonly Slot[]): Step[] {
  const root = (s: number): number => slots[s]?.mergedInto ?? s;
  const out: Step[] = [];
  let parts: FusedStep[] = [];
  const flush = (): void => {
    if (parts.length > 1) out.push({ kind: "loop", parts });
    else out.push(...parts);
    parts = [];
  };
  const nodes = (ps: readonly FusedStep[]): number => ps.reduce((n, p) => n + p.nodes.length, 0);
  for (const s of steps) {
    if (s.kind === "fused" && parts.length > 0 && nodes(parts) + s.nodes.length <= MAX_KERNEL_NODES && parts.every((p) => sameElements(p, s, root))) parts.push(s);
    else if (s.kind === "fused" && size(s) <= 1 && parts.length > 0 && parts.every((p) => independent(s, p, root))) out.push(s);
    else {
      flush();
      if (s.kind === "fused" && loopable(s)) parts.push(s);
      else out.push(s);
    }
  }
  flush();
  return out;
}

const size = (s: FusedStep): number => sizeOf(s.shape);

/**
 * An elementwise kernel of more than one element (a single element is a broadcast, loaded before
 * the loop starts), no reduction, not an f64 copy (emitted as word pairs), stored densely.
 */
const loopable = (s: FusedStep): boolean => size(s) > 1 && !s.reduce && s.dtype !== "f64" && isContiguous(s.store);

/**
 * Whether `b` can share a loop with the earlier kernel `a`: same shape, different outputs, and
 * each reading the other's output only at the element it is computing.
 */
function sameElements(a: FusedStep, b: FusedStep, root: (s: number) => number): boolean {
  if (!loopable(b) || a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const [wa, wb] = [root(a.store.place.slot), root(b.store.place.slot)];
  const atElement = (reader: FusedStep, written: View, w: number): boolean =>
    reader.loads.every((l) => root(l.view.place.slot) !== w || (l.view.place.offset === written.place.offset && isContiguous(l.view) && l.view.shape.every((d, i) => d === written.shape[i])));
  return wa !== wb && atElement(b, a.store, wa) && atElement(a, b.store, wb);
}

/** Whether steps `a` and `b` commute: neither reads what the other writes, and they write different slots. */
function independent(a: Step, b: Step, root: (s: number) => number): boolean {
  const [ra, wa, rb, wb] = [stepReads(a), stepWrites(a), stepReads(b), stepWrites(b)].map((slots) => slots.map(root)) as [number[], number[], number[], number[]];
  const meet = (x: number[], y: number[]): boolean => x.some((i) => y.includes(i));
  return !meet(ra, wb) && !meet(rb, wa) && !meet(wa, wb);
}
