import type { OpName, OpParams } from "../ops/index.js";
import type { Shape } from "../shape/shape.js";
import type { DType } from "../tensor/dtype.js";

let nextId = 0;

/**
 * A node of the symbolic graph: an op applied to inputs with params, of a known shape and dtype.
 * Nodes are immutable and hash-consed: building the same op on the same inputs with the same
 * params returns the same object, so shared subexpressions are shared by construction.
 */
export class Expr<S extends Shape = Shape, D extends DType = DType> {
  /** Creation order; inputs always have smaller ids than their users. */
  readonly id = nextId++;

  /** @internal Use the op functions (`add`, `matmul`, …) to build nodes. */
  constructor(
    readonly op: OpName,
    readonly inputs: readonly Expr[],
    readonly params: OpParams[OpName],
    readonly shape: S,
    readonly dtype: D,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `Expr(${this.op}, ${this.dtype}[${this.shape.join(",")}])`;
  }
}

/** An expression of any shape and dtype. */
export type AnyExpr = Expr<Shape, DType>;

/** Narrows a node to one op, giving typed access to its params. */
export function isOp<K extends OpName>(e: Expr, op: K): e is Expr & { readonly op: K; readonly params: OpParams[K] } {
  return e.op === op;
}

/**
 * Retypes a node to the shape and dtype the runtime rules established where the types cannot
 * follow (a builder returning its input for an identity move, a composite built from generic
 * parts). The one cast between node types; the shape rules still checked the node.
 */
export const retype = <S extends Shape, D extends DType>(e: Expr): Expr<S, D> => e as Expr<S, D>;

/**
 * Hash-consing table. Entries hold nodes weakly, so the garbage collector still owns graphs:
 * a node lives as long as something (a user variable, a program, a node above it) refers to it.
 */
const table = new Map<string, WeakRef<Expr>>();
const registry = new FinalizationRegistry<string>((key) => {
  if (table.get(key)?.deref() === undefined) table.delete(key);
});

/** @internal Returns the existing node for `key`, or the one `create` makes. */
export function intern(key: string, create: () => Expr): Expr {
  const existing = table.get(key)?.deref();
  if (existing !== undefined) return existing;
  const node = create();
  table.set(key, new WeakRef(node));
  registry.register(node, key);
  return node;
}
