// fast-check arbitraries for shapes, tensors and the test domains of primitives and composites.
// Everything is built from fast-check's own arbitraries, so failing cases shrink.
import * as fc from "fast-check";
import type { InputSpec, Sampler, TestCase } from "../graph/primitive.js";
import { ValueError, sizeOf } from "../shape/shape.js";
import { type DType, allocate, isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * Bounds of the shapes {@link shapeArbitrary} draws.
 * @example
 * shapeArbitrary({ minRank: 2, maxRank: 2, maxDim: 8 });   // matrices up to 8×8
 */
export interface ShapeConstraints {
  /** Smallest rank (default 0). */
  readonly minRank?: number;
  /** Largest rank (default 3). */
  readonly maxRank?: number;
  /** Largest dimension (default 4); dimensions are at least 1. */
  readonly maxDim?: number;
}

/**
 * Concrete shapes: rank and dimensions within bounds, shrinking towards rank 0 and dimension 1.
 * @example
 * fc.assert(fc.property(shapeArbitrary({ minRank: 1 }), (shape) => sum(input("x", shape)).rank === 0));
 */
export function shapeArbitrary({ minRank = 0, maxRank = 3, maxDim = 4 }: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  return fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * Pairs of shapes that broadcast together (numpy rules): a common shape, from which each operand
 * drops some leading axes and turns some dimensions into 1.
 * @example
 * fc.assert(fc.property(broadcastShapesArbitrary(), ([a, b]) => add(input("a", a), input("b", b)).rank === Math.max(a.length, b.length)));
 */
export function broadcastShapesArbitrary(constraints: ShapeConstraints = {}): fc.Arbitrary<[number[], number[]]> {
  const operand = (full: number[]): fc.Arbitrary<number[]> =>
    fc
      .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
      .map(([drop, ones]) => full.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
  return shapeArbitrary(constraints).chain((full) => fc.tuple(operand(full), operand(full)));
}

/** Points within this distance of an `avoid` point are not drawn; distinct values keep this gap when they can. */
const MARGIN = 0.1;

/** The parts of [lo, hi] at least MARGIN away from every avoided point. */
function allowedIntervals(lo: number, hi: number, avoid: readonly number[]): [number, number][] {
  let parts: [number, number][] = [[lo, hi]];
  for (const a of avoid) parts = parts.flatMap(([l, h]): [number, number][] => [[l, Math.min(h, a - MARGIN)], [Math.max(l, a + MARGIN), h]]).filter(([l, h]) => l <= h);
  if (parts.length === 0) throw new ValueError("tensorArbitrary", `an interval [${lo}, ${hi}] not covered by the avoided points`, `avoid [${avoid.join(", ")}]`);
  return parts;
}

/** Maps t ∈ [0, total length] onto the union of intervals, in order. */
function place(parts: readonly [number, number][], t: number): number {
  for (const [l, h] of parts) {
    if (t <= h - l) return l + t;
    t -= h - l;
  }
  return (parts[parts.length - 1] as [number, number])[1];
}

/** `n` floats in [lo, hi] away from `avoid`. */
function floats(lo: number, hi: number, avoid: readonly number[], n: number): fc.Arbitrary<number[]> {
  const parts = allowedIntervals(lo, hi, avoid);
  const total = parts.reduce((s, [l, h]) => s + h - l, 0);
  return fc.array(fc.double({ min: 0, max: total, noNaN: true }), { minLength: n, maxLength: n }).map((ts) => ts.map((t) => place(parts, t)));
}

/**
 * `n` pairwise-distinct floats in [lo, hi] away from `avoid`: [lo, hi] is cut into equal cells and
 * each value sits in the middle half of its own cell, so two values are at least half a cell apart
 * (0.1 when the interval is wide enough, less when n values must share a narrow one).
 */
function distinctFloats(lo: number, hi: number, avoid: readonly number[], n: number): fc.Arbitrary<number[]> {
  const range = hi - lo;
  for (let cells = Math.max(n, Math.floor(range / (2 * MARGIN))); cells <= 64 * Math.max(n, 1); cells *= 2) {
    const w = range / cells;
    const usable = Array.from({ length: cells }, (_, c) => lo + c * w + w / 4).filter((start) => avoid.every((a) => start + w / 2 <= a - MARGIN || start >= a + MARGIN));
    if (usable.length < n) continue;
    return fc
      .tuple(fc.shuffledSubarray(usable, { minLength: n, maxLength: n }), fc.array(fc.double({ min: 0, max: w / 2, noNaN: true }), { minLength: n, maxLength: n }))
      .map(([starts, offsets]) => starts.map((s, i) => s + (offsets[i] as number)));
  }
  throw new ValueError("tensorArbitrary", `room for ${n} distinct values in [${lo}, ${hi}]`, `avoid [${avoid.join(", ")}]`);
}

/**
 * Options of the tensor arbitraries.
 * @example
 * tensorArbitrary({ shape: [3] }, { dtype: "f32" });
 */
export interface TensorOptions {
  /** The dtype of inputs whose spec leaves it open (default f64, the dtype of gradient checks). */
  readonly dtype?: DType;
}

const dtypeOf = (spec: InputSpec, options: TensorOptions): DType => spec.dtype ?? options.dtype ?? "f64";

/** The elements of one input: bools, integers in [min, max], or floats per the spec. */
function elements(spec: InputSpec, dtype: DType, n: number): fc.Arbitrary<number[]> {
  if (dtype === "bool") return fc.array(fc.boolean(), { minLength: n, maxLength: n }).map((bs) => bs.map(Number));
  const [lo, hi] = [spec.min ?? -1, spec.max ?? 1];
  if (!isFloat(dtype)) return fc.array(fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) }), { minLength: n, maxLength: n });
  return (spec.distinct ? distinctFloats : floats)(lo, hi, spec.avoid ?? [], n);
}

const toTensor = (shape: readonly number[], dtype: DType, values: readonly number[]): Tensor => {
  const data = allocate(dtype, values.length);
  data.set(values);
  return new Tensor([...shape], dtype, data);
};

/**
 * Tensors within a test domain: shape and dtype from the spec, values in [min, max] (default
 * [−1, 1]), at least 0.1 from every `avoid` point, pairwise apart when `distinct`.
 * @example
 * fc.assert(fc.property(tensorArbitrary({ shape: [3], min: 0.2, max: 4 }), (x) => x.toFlat().every((v) => v >= 0.2)));
 */
export function tensorArbitrary(spec: InputSpec, options: TensorOptions = {}): fc.Arbitrary<Tensor> {
  const dtype = dtypeOf(spec, options);
  return elements(spec, dtype, sizeOf(spec.shape)).map((values) => toTensor(spec.shape, dtype, values));
}

/**
 * The tensors of a test case's inputs. Float inputs marked `distinct` are distinct jointly (no
 * element of one equals an element of another), which is what max, maximum and minimum need
 * to avoid ties; they must then share min, max and avoid.
 * @example
 * fc.assert(fc.property(inputsArbitrary([{ shape: [2], distinct: true }, { shape: [2], distinct: true }]),
 *   ([a, b]) => !a!.toFlat().some((v) => b!.toFlat().includes(v))));
 */
export function inputsArbitrary(specs: readonly InputSpec[], options: TensorOptions = {}): fc.Arbitrary<Tensor[]> {
  const joint = specs.flatMap((s, i) => (s.distinct && isFloat(dtypeOf(s, options)) ? [i] : []));
  const first = specs[joint[0] ?? -1];
  if (first === undefined) return fc.tuple(...specs.map((s) => tensorArbitrary(s, options)));
  const key = (s: InputSpec): string => JSON.stringify([s.min, s.max, s.avoid]);
  if (joint.some((i) => key(specs[i] as InputSpec) !== key(first)))
    throw new ValueError("inputsArbitrary", "distinct inputs that share min, max and avoid", joint.map((i) => key(specs[i] as InputSpec)).join(" and "));
  const sizes = joint.map((i) => sizeOf((specs[i] as InputSpec).shape));
  const shared = distinctFloats(first.min ?? -1, first.max ?? 1, first.avoid ?? [], sizes.reduce((a, b) => a + b, 0));
  const others = fc.tuple(...specs.map((s, i) => (joint.includes(i) ? fc.constant(undefined) : tensorArbitrary(s, options))));
  return fc.tuple(shared, others).map(([values, rest]) => {
    let at = 0;
    return specs.map((s, i) => {
      if (!joint.includes(i)) return rest[i] as Tensor;
      const n = sizeOf(s.shape);
      at += n;
      return toTensor(s.shape, dtypeOf(s, options), values.slice(at - n, at));
    });
  });
}

/**
 * A {@link Sampler} whose choices are drawn by fast-check, so a domain's shapes and params shrink
 * like any other generated value.
 * @example
 * fc.assert(fc.property(fc.gen(), (g) => primitives.sum.domain(samplerOf(g)).inputs.length === 1));
 */
export function samplerOf(g: fc.GeneratorValue): Sampler {
  const int = (min: number, max: number): number => g(fc.integer, { min, max });
  return {
    int,
    pick: (choices) => {
      if (choices.length === 0) throw new ValueError("pick", "at least one choice", "none");
      return choices[int(0, choices.length - 1)] as (typeof choices)[number];
    },
    shape: (minRank, maxRank) => g(shapeArbitrary, { minRank, maxRank }),
  };
}

/**
 * A test case of a domain together with tensors for its inputs.
 * @example
 * fc.assert(fc.property(caseArbitrary(primitives.matmul.domain), ({ inputs, params, values }) => values.length === inputs.length));
 */
export interface SampledCase<P> extends TestCase<P> {
  readonly values: readonly Tensor[];
}

/**
 * Test cases of a domain (`prim.domain`, or a composite's) with input tensors, all shrinkable:
 * the sampler's choices come from fast-check and so do the values.
 * @example
 * fc.assert(fc.property(caseArbitrary(primitives.log.domain), ({ values }) => values[0]!.toFlat().every((v) => v > 0)));
 */
export function caseArbitrary<P>(domain: (s: Sampler) => TestCase<P>, options: TensorOptions = {}): fc.Arbitrary<SampledCase<P>> {
  return fc
    .gen()
    .map((g) => domain(samplerOf(g)))
    .chain((c) => inputsArbitrary(c.inputs, options).map((values) => ({ ...c, values })));
}
