import { ValueError, showShape } from "../shape/shape.js";
import { type Expr, isOp } from "./expr.js";

/** All nodes the roots depend on, inputs before users (ascending ids are a topological order). */
export function topoSort(roots: readonly Expr[]): Expr[] {
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length) {
    const e = stack.pop() as Expr;
    if (seen.has(e)) continue;
    seen.add(e);
    for (const x of e.inputs) if (!seen.has(x)) stack.push(x);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

/** The input leaves among the nodes the roots depend on, by name. */
export function inputsOf(roots: readonly Expr[]): Map<string, Expr> {
  const found = new Map<string, Expr>();
  for (const e of topoSort(roots)) {
    if (!isOp(e, "input")) continue;
    const name = e.params.name;
    const other = found.get(name);
    if (other !== undefined && other !== e)
      throw new ValueError(
        "graph",
        `one input per name`,
        `two inputs named "${name}": ${other.dtype}${showShape(other.shape)} and ${e.dtype}${showShape(e.shape)}`,
        "give them distinct names",
      );
    found.set(name, e);
  }
  return found;
}
