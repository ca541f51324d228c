import type { Expr } from "./expr.js";

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
    if (e.op !== "input") continue;
    const name = (e.params as { name: string }).name;
    const other = found.get(name);
    if (other !== undefined && other !== e)
      throw new Error(`graph: two different inputs are named "${name}" (${other.dtype}[${other.shape}] and ${e.dtype}[${e.shape}]); give them distinct names`);
    found.set(name, e);
  }
  return found;
}
