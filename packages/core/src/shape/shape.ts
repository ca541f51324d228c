/**
 * Dimensions are numbers or names. A name such as `"batch"` is a symbolic dimension: it is
 * checked by identity when graphs are built and bound to a number when a program runs.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];
/** A shape with every dimension known. */
export type ConcreteShape = readonly number[];

/** Thrown when shapes do not fit an op: `<op>: expected <constraint>, got <actual>` plus a hint. */
export class ShapeError extends Error {
  override name = "ShapeError";
  constructor(readonly op: string, readonly expected: string, readonly got: string, readonly hint?: string) {
    super(`${op}: expected ${expected}, got ${got}${hint ? `. ${hint}` : ""}`);
  }
}

/** Thrown for bad arguments that are not shapes: dtypes, hyperparameters, bindings. */
export class ValueError extends Error {
  override name = "ValueError";
  constructor(readonly op: string, readonly expected: string, readonly got: string, readonly hint?: string) {
    super(`${op}: expected ${expected}, got ${got}${hint ? `. ${hint}` : ""}`);
  }
}

/**
 * Builds a composite under its own name: a ShapeError or ValueError raised by the ops it is made
 * of is reported as the composite's (`sub: …` rather than `add: …`), as the user called it.
 */
export function guard<R>(op: string, build: () => R): R {
  try {
    return build();
  } catch (e) {
    const Kind = e instanceof ShapeError ? ShapeError : e instanceof ValueError ? ValueError : undefined;
    throw Kind === undefined || (e as ShapeError).op === op ? e : new Kind(op, (e as ShapeError).expected, (e as ShapeError).got, (e as ShapeError).hint);
  }
}

export const showShape = (shape: Shape): string => `[${shape.join(",")}]`;

export const isConcrete = (shape: Shape): shape is ConcreteShape => shape.every((d) => typeof d === "number");

/** Number of elements, for concrete shapes. */
export const sizeOf = (shape: ConcreteShape): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides of a concrete shape. */
export function stridesOf(shape: ConcreteShape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i] ?? 1;
  }
  return strides;
}

export const sameShape = (a: Shape, b: Shape): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

/** Resolves a possibly negative axis against a rank, or throws naming the op. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new ShapeError(op, `an axis in [${-rank}, ${rank - 1}]`, String(axis), `the input has rank ${rank}`);
  }
  return a;
}

/** Numpy broadcasting of two shapes; names broadcast only against 1 or themselves. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Shape {
  const rank = Math.max(a.length, b.length);
  const out = new Array<Dim>(rank);
  for (let i = 1; i <= rank; i++) {
    const x = a[a.length - i] ?? 1;
    const y = b[b.length - i] ?? 1;
    if (x === y || y === 1) out[rank - i] = x;
    else if (x === 1) out[rank - i] = y;
    else
      throw new ShapeError(
        op,
        "shapes that broadcast (each dimension equal, or 1)",
        `${showShape(a)} and ${showShape(b)}`,
        `dimension ${x} does not match ${y}; reshape or transpose one operand`,
      );
  }
  return out;
}

/** Substitutes bound values for named dimensions. */
export function bindShape(shape: Shape, env: ReadonlyMap<string, number>, op = "bind"): number[] {
  return shape.map((d) => {
    if (typeof d === "number") return d;
    const v = env.get(d);
    if (v === undefined) throw new ShapeError(op, `a value for dimension "${d}"`, "none", "bind an input that has it");
    return v;
  });
}
