import type { Expr } from "../graph/expr.js";
import { topoSort } from "../graph/topo.js";
import { primitiveOf } from "../ops/index.js";
import { showShape } from "../shape/shape.js";
import { splatValue } from "../simplify/splat.js";
import { TEXT } from "./syntax.js";

/** A node's label: an input's name, a constant's value, or the op's symbol (its name for custom forms). */
function label(e: Expr): string {
  const form = primitiveOf(e).print;
  const v = e.op === "constant" ? splatValue(e) : undefined;
  if (v !== undefined) return TEXT.number(v, e.dtype).text;
  if (e.op === "input" || e.op === "constant") return form.kind === "custom" ? form.text([], e.params, e.inputs) : e.op;
  return form.kind === "call" ? form.name : form.kind === "prefix" || form.kind === "infix" ? form.symbol : e.op;
}

const escape = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"');

/**
 * The graph in Graphviz DOT: one box per node (label and dtype[shape]), an edge from each input
 * to its user, outputs drawn bold. Nodes are numbered in topological order, so the text is stable.
 * @example
 * printDot(mul(sigmoid(x), x));   // "digraph {\n  n0 [label=…"
 */
export function printDot(outputs: Expr | readonly Expr[]): string {
  const roots = new Set(outputs instanceof Array ? outputs : [outputs as Expr]);
  const nodes = topoSort([...roots]);
  const index = new Map(nodes.map((e, i) => [e, i]));
  const lines = nodes.flatMap((e, i) => [
    `  n${i} [label="${escape(label(e))}\\n${e.dtype}${showShape(e.shape)}"${roots.has(e) ? ", style=bold" : ""}];`,
    ...e.inputs.map((x) => `  n${index.get(x)} -> n${i};`),
  ]);
  return ["digraph {", "  node [shape=box, fontname=Helvetica];", ...lines, "}"].join("\n");
}
