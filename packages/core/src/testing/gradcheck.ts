// Gradient checking: the derivative graphs built by vjp/grad against central finite differences,
// all in float64. Directional checks cost two evaluations per input whatever its size; the full
// Jacobian is compared element by element only when it is small.
import { grad, vjp } from "../autodiff/grad.js";
import { evaluate } from "../graph/evaluate.js";
import type { Expr } from "../graph/expr.js";
import { inputsOf } from "../graph/topo.js";
import { add } from "../ops/add.js";
import { input } from "../ops/input.js";
import { mul } from "../ops/mul.js";
import { sum } from "../ops/sum.js";
import { randomWords } from "../random/threefry.js";
import { ValueError, showShape, sizeOf } from "../shape/shape.js";
import { type DType, isFloat } from "../tensor/dtype.js";
import { Tensor } from "../tensor/tensor.js";

/**
 * Tolerances and choices of {@link gradcheck}.
 * @example
 * gradcheck(f, [x], { rtol: 1e-4, atol: 1e-5, eps: 1e-6, secondOrder: false });
 */
export interface GradcheckOptions {
  /** Relative tolerance (default 1e-5): a comparison passes when |analytic − numeric| ≤ atol + rtol·|numeric|. */
  readonly rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  readonly atol?: number;
  /** Finite-difference step along a direction with entries in [−1, 1] (default 1e-5). */
  readonly eps?: number;
  /** Also check second order: the Hessian-vector product against differences of the gradient (default true). */
  readonly secondOrder?: boolean;
  /** Compare the full Jacobian of an input when output size × input size is at most this (default 256; 0 never). */
  readonly jacobianLimit?: number;
  /** Seed of the random cotangent and directions (default 0). */
  readonly seed?: number;
  /** Tensors for other inputs `f` uses (data, labels), by name; they are not differentiated. */
  readonly bindings?: Readonly<Record<string, Tensor>>;
}

/**
 * One comparison of an analytic derivative with its finite-difference estimate.
 * `vjp`: ⟨vjp(u), v⟩ against the directional derivative of ⟨f, u⟩ along v (index is []);
 * `jacobian`: ∂f[output]/∂x[index]; `hvp`: (H·v)[index] against differences of the gradient along v.
 * @example
 * const { input, index, analytic, numeric } = gradcheck(f, [x]).worst!;
 */
export interface GradcheckEntry {
  readonly check: "vjp" | "jacobian" | "hvp";
  /** Position of the input in `inputs`. */
  readonly input: number;
  /** Element of the input ([] for a directional check). */
  readonly index: readonly number[];
  /** Element of the output (Jacobian checks only). */
  readonly output?: readonly number[];
  readonly analytic: number;
  readonly numeric: number;
  /** |analytic − numeric| (Infinity when either is not finite). */
  readonly error: number;
  /** atol + rtol·|numeric|. */
  readonly tolerance: number;
}

/**
 * What {@link gradcheck} found: `worst` is the comparison with the largest error/tolerance.
 * @example
 * const report = gradcheck(f, [x]);
 * if (!report.ok) console.log(report.failures.length, describeReport(report));
 */
export interface GradcheckReport {
  readonly ok: boolean;
  readonly worst: GradcheckEntry | undefined;
  /** Every comparison beyond its tolerance. */
  readonly failures: readonly GradcheckEntry[];
  /** Number of comparisons made. */
  readonly compared: number;
}

/**
 * Thrown by {@link assertGradients}; the message names the worst element, `report` holds the rest.
 * @example
 * try { assertGradients(f, [x]); } catch (e) { if (e instanceof GradcheckError) console.log(e.report.worst); }
 */
export class GradcheckError extends Error {
  override name = "GradcheckError";
  constructor(readonly report: GradcheckReport) {
    super(describeReport(report));
  }
}

/**
 * One line on a report: where the worst comparison was and by how much it missed.
 * @example
 * describeReport(gradcheck((x) => sum(exp(x)), [tensor([1, 2])]));
 * // "gradcheck passed; worst: hvp of input 0 at [1]: analytic 7.38…, numeric 7.38…, error 1.2e-10 vs tolerance 1.1e-5"
 */
export function describeReport(report: GradcheckReport): string {
  const w = report.worst;
  if (w === undefined) return "gradcheck: nothing was compared";
  const where = `${w.check} of input ${w.input}${w.index.length ? ` at [${w.index.join(",")}]` : ""}${w.output ? ` (output [${w.output.join(",")}])` : ""}`;
  const verdict = report.ok ? "passed" : `failed ${report.failures.length} of ${report.compared} comparisons`;
  return `gradcheck ${verdict}; worst: ${where}: analytic ${w.analytic}, numeric ${w.numeric}, error ${w.error.toExponential(2)} vs tolerance ${w.tolerance.toExponential(2)}`;
}

/** Uniform numbers in [−1, 1) from a seed and a stream number. */
function directions(seed: number, stream: number, n: number): Float64Array {
  const words = randomWords(seed | 0, stream, n);
  return Float64Array.from(words, (w) => w * 2 ** -31 - 1);
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
};

/** The multi-index of flat element `flat` of a row-major shape. */
function unravel(flat: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] as number;
    index[d] = flat % n;
    flat = Math.floor(flat / n);
  }
  return index;
}

/** A float tensor of `dtype` holding `data`. */
const floatTensor = (shape: readonly number[], dtype: DType, data: Float64Array): Tensor =>
  dtype === "f32" ? new Tensor(shape, "f32", Float32Array.from(data)) : new Tensor(shape, "f64", data);

/** The tensor as float64 when it is a float tensor (so differences are taken in double precision). */
const toF64 = (t: Tensor): Tensor => (isFloat(t.dtype) && t.dtype !== "f64" ? new Tensor(t.shape, "f64", Float64Array.from(t.data)) : t);

/**
 * Checks the gradients of `f` at `inputs` against central finite differences in float64.
 * Float inputs (f32 ones are promoted to f64) are differentiated; integer and bool inputs are
 * passed through. For each float input it compares ⟨vjp(u), v⟩ with the directional derivative of
 * ⟨f, u⟩ along v for random u and v, the full Jacobian when it is small, and (second order) the
 * Hessian-vector product of ⟨f, u⟩ with differences of its gradient along v.
 * `f` must build its result from the given expressions with core ops (numbers adopt their dtype).
 * @example
 * const report = gradcheck(
 *   (x: Expr<[1, 2], "f64">, w: Expr<[2, 1], "f64">) => sum(tanh(matmul(x, w))),
 *   [tensor([[1, 2]]), tensor([[0.5], [-1]])],
 * );
 * report.ok;      // true
 * report.worst;   // { check, input, index, analytic, numeric, error, tolerance }
 */
export function gradcheck<X extends Expr[]>(f: (...xs: X) => Expr, inputs: readonly Tensor[], options: GradcheckOptions = {}): GradcheckReport {
  const { secondOrder = true, jacobianLimit = 256, seed = 0, bindings = {} } = options;
  const values = inputs.map(toF64);
  const xs = values.map((t, i) => input(`gradcheck.x${i}`, t.shape, t.dtype) as Expr);
  const wrt = xs.flatMap((x, i) => (isFloat(x.dtype) ? [i] : []));
  if (wrt.length === 0) throw new ValueError("gradcheck", "at least one float input", inputs.map((t) => `${t.dtype}${showShape(t.shape)}`).join(", ") || "none");
  const y = f(...(xs as X));
  if (!isFloat(y.dtype)) throw new ValueError("gradcheck", "a float output", `${y.dtype}${showShape(y.shape)}`, "cast the result or check a float function of it");
  const data = [...inputsOf([y])]
    .filter(([, e]) => !xs.includes(e))
    .map(([name, e]): [Expr, Tensor] => {
      const t = bindings[name];
      if (t === undefined) throw new ValueError("gradcheck", `a tensor for input "${name}" of f`, "none", `pass it as options.bindings.${name}`);
      return [e, t];
    });
  const check = new Check(values, xs, wrt, y, data, seed, options);
  firstOrder(check, jacobianLimit);
  if (secondOrder) hessianVector(check);
  const { entries } = check;
  const ratio = (e: GradcheckEntry): number => (e.error === Infinity ? Infinity : e.error / e.tolerance);
  const failures = entries.filter((e) => !(e.error <= e.tolerance));
  const worst = entries.reduce<GradcheckEntry | undefined>((w, e) => (w === undefined || ratio(e) > ratio(w) ? e : w), undefined);
  return { ok: failures.length === 0, worst, failures, compared: entries.length };
}

/**
 * One gradcheck under way: f's graph y over the inputs xs (values `values`, differentiated at
 * `wrt`), its VJP `grads` for the cotangent input u (value `uValue`, random), the random
 * directions `v` per differentiated input, and the comparisons made so far.
 */
class Check {
  readonly entries: GradcheckEntry[] = [];
  readonly u: Expr;
  readonly uValue: Tensor;
  readonly grads: Expr[];
  readonly v: ReadonlyMap<number, Float64Array>;
  private readonly rtol: number;
  private readonly atol: number;
  private readonly eps: number;

  constructor(
    readonly values: readonly Tensor[],
    readonly xs: readonly Expr[],
    readonly wrt: readonly number[],
    readonly y: Expr,
    private readonly data: readonly [Expr, Tensor][],
    seed: number,
    { rtol = 1e-5, atol = 1e-6, eps = 1e-5 }: GradcheckOptions,
  ) {
    [this.rtol, this.atol, this.eps] = [rtol, atol, eps];
    this.u = input("gradcheck.u", y.shape, y.dtype);
    this.grads = vjp(y, wrt.map((i) => xs[i] as Expr), this.u);
    this.uValue = floatTensor(y.shape as number[], y.dtype, directions(seed, 0, sizeOf(y.shape as number[])));
    this.v = new Map(wrt.map((i) => [i, directions(seed, 1 + i, (values[i] as Tensor).size)]));
  }

  /** Bindings of the inputs to `xsValues`, of f's other inputs to their data, and `extra`. */
  bind(xsValues: readonly Tensor[], extra: readonly [Expr, Tensor][] = []): Map<Expr, Tensor> {
    return new Map<Expr, Tensor>([...this.xs.map((x, i): [Expr, Tensor] => [x, xsValues[i] as Tensor]), ...this.data, ...extra]);
  }

  /** f's values at the inputs `at`. */
  readonly yOf = (at: Tensor[]): ArrayLike<number> => evaluate(this.y, this.bind(at)).data;

  /** (F(x + εd) − F(x − εd)) / 2ε for a vector-valued F of the inputs, moving input j along dirs[j]. */
  difference(F: (at: Tensor[]) => ArrayLike<number>, dirs: ReadonlyMap<number, Float64Array>): Float64Array {
    const along = (step: number): Tensor[] =>
      this.values.map((t, j) => {
        const d = dirs.get(j);
        return d === undefined ? t : new Tensor(t.shape, t.dtype, Float64Array.from(t.data, (a, k) => a + step * (d[k] as number)));
      });
    const [hi, lo] = [F(along(this.eps)), F(along(-this.eps))];
    return Float64Array.from(hi, (h, k) => (h - (lo[k] as number)) / (2 * this.eps));
  }

  /** Records one comparison with its error and tolerance (a non-finite value never passes). */
  compare(e: Omit<GradcheckEntry, "error" | "tolerance">): void {
    const finite = Number.isFinite(e.analytic) && Number.isFinite(e.numeric);
    this.entries.push({ ...e, error: finite ? Math.abs(e.analytic - e.numeric) : Infinity, tolerance: this.atol + this.rtol * Math.abs(e.numeric) });
  }
}

/** Per differentiated input: ⟨vjp(u), v⟩ against the directional difference, and the whole Jacobian when small. */
function firstOrder(c: Check, jacobianLimit: number): void {
  const gradValues = evaluate(c.grads, c.bind(c.values, [[c.u, c.uValue]]));
  c.wrt.forEach((i, k) => {
    const x = c.values[i] as Tensor;
    const vi = c.v.get(i) as Float64Array;
    const [numeric] = c.difference((at) => [dot(c.yOf(at), c.uValue.data)], new Map([[i, vi]]));
    c.compare({ check: "vjp", input: i, index: [], analytic: dot((gradValues[k] as Tensor).data, vi), numeric: numeric as number });
    if (c.uValue.size * x.size <= jacobianLimit) jacobian(c, i, k);
  });
}

/** Column j of input i's Jacobian by differences; row r by the VJP (the k-th gradient) with the basis cotangent e_r. */
function jacobian(c: Check, i: number, k: number): void {
  const x = c.values[i] as Tensor;
  const { y, uValue } = c;
  const basis = (n: number, j: number): Float64Array => Float64Array.from({ length: n }, (_, m) => (m === j ? 1 : 0));
  const columns = Array.from({ length: x.size }, (_, j) => c.difference(c.yOf, new Map([[i, basis(x.size, j)]])));
  for (let r = 0; r < uValue.size; r++) {
    const row = evaluate(c.grads[k] as Expr, c.bind(c.values, [[c.u, floatTensor(y.shape as number[], y.dtype, basis(uValue.size, r))]])).data;
    for (let j = 0; j < x.size; j++)
      c.compare({ check: "jacobian", input: i, index: unravel(j, x.shape as number[]), output: unravel(r, y.shape as number[]), analytic: row[j] as number, numeric: (columns[j] as Float64Array)[r] as number });
  }
}

/**
 * H·v of s = ⟨f, u⟩ is the gradient of ⟨∇s, v⟩; numerically, the difference of ∇s when all
 * inputs move along v together.
 */
function hessianVector(c: Check): void {
  const { xs, wrt, grads, u, uValue, v } = c;
  const vs = wrt.map((i) => input(`gradcheck.v${i}`, (xs[i] as Expr).shape, "f64"));
  const inner = grads.map((g, k) => sum(mul(g, vs[k] as Expr))).reduce((a, b) => add(a, b));
  const hvps = grad(inner, wrt.map((i) => xs[i] as Expr));
  const vBindings = vs.map((vk, k): [Expr, Tensor] => [vk, new Tensor(vk.shape, "f64", v.get(wrt[k] as number) as Float64Array)]);
  const analytic = evaluate(hvps, c.bind(c.values, [[u, uValue], ...vBindings]));
  const allGrads = (at: Tensor[]): Float64Array => Float64Array.from(evaluate(grads, c.bind(at, [[u, uValue]])).flatMap((t) => [...t.data]));
  const numeric = c.difference(allGrads, v);
  let at = 0;
  wrt.forEach((i, k) => {
    const a = (analytic[k] as Tensor).data;
    for (let m = 0; m < a.length; m++, at++) c.compare({ check: "hvp", input: i, index: unravel(m, (c.values[i] as Tensor).shape as number[]), analytic: a[m] as number, numeric: numeric[at] as number });
  });
}

/**
 * {@link gradcheck} for tests: throws a {@link GradcheckError} naming the worst element when any
 * comparison is beyond its tolerance, and returns the report otherwise.
 * @example
 * const x = input("x", [3, 2], "f64");
 * const y = input("y", [3, 1], "f64");
 * const loss = (w: Expr<[2, 1], "f64">) => mean(square(sub(matmul(x, w), y)));
 * it("differentiates my loss", () => {
 *   const data = { x: tensor([[1, 2], [3, 4], [5, 6]], { dtype: "f64" }), y: tensor([[1], [0], [1]], { dtype: "f64" }) };
 *   assertGradients(loss, [tensor([[0.1], [0.2]])], { bindings: data });
 * });
 */
export function assertGradients<X extends Expr[]>(f: (...xs: X) => Expr, inputs: readonly Tensor[], options?: GradcheckOptions): GradcheckReport {
  const report = gradcheck(f, inputs, options);
  if (!report.ok) throw new GradcheckError(report);
  return report;
}
