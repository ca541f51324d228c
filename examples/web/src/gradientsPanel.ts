// Panel 3: an expression in x, its first and second derivatives as simplified graphs, typeset
// from `printLatex` with KaTeX, plotted over [−4, 4], and the graph of f and f′ drawn from `printDot`.
import { type Expr, compile, grad, input, linspace, printDot, printLatex, simplify, sum, topoSort } from "@typegrad/core";
import katex from "katex";
import "katex/dist/katex.min.css";
import { byId } from "./dom.js";
import { drawGraph, parseDot } from "./graph.js";
import { type Ast, ParseError, build, parse } from "./parse.js";
import { chart } from "./plot.js";

const N = 201;
const xs = linspace(-4, 4, N);

/** f, f′ and f″ of a scalar x, each simplified. */
function derivatives(ast: Ast): [Expr, Expr, Expr] {
  const x = input("x", []);
  const f = build(ast, x);
  const d1 = simplify(grad(f, [x])[0]);
  const d2 = simplify(grad(d1, [x])[0]);
  return [simplify(f), d1, d2];
}

/** f, f′, f″ at every point of the grid: the same expression over a vector x (elementwise, so ∂Σf/∂x = f′). */
function curves(ast: Ast): Float32Array[] {
  const x = input("x", [N]);
  const f = build(ast, x);
  const d1 = grad(sum(f), [x])[0];
  const d2 = grad(sum(d1), [x])[0];
  const out = compile({ x }, { f, d1, d2 }).run({ x: xs });
  return [out.f.data, out.d1.data, out.d2.data].map((d) => Float32Array.from(d));
}

export function gradientsPanel(): void {
  const field = byId<HTMLInputElement>("grad-expr");
  const status = byId<HTMLParagraphElement>("grad-status");
  const plot = chart(byId("grad-plot"), "f, f′ and f″", [{ label: "f", color: "#1d2430" }, { label: "f′", color: "#e8590c" }, { label: "f″", color: "#4f7cff" }], { x: "x", width: 480 });
  const show = (): void => {
    let ast: Ast;
    try {
      ast = parse(field.value);
    } catch (e) {
      status.textContent = e instanceof ParseError ? e.message : String(e);
      status.classList.add("error");
      return;
    }
    status.classList.remove("error");
    const exprs = derivatives(ast);
    (["grad-f", "grad-d1", "grad-d2"] as const).forEach((id, i) => {
      const e = exprs[i] as Expr;
      katex.render(printLatex(e), byId(id), { displayMode: true, throwOnError: false });
    });
    const [f, d1] = exprs;
    // printDot numbers nodes in topological order: find the outputs' ids to tag them.
    const order = topoSort([f, d1]);
    const names = new Map([[`n${order.indexOf(d1)}`, f === d1 ? "f = f′" : "f′"], [`n${order.indexOf(f)}`, f === d1 ? "f = f′" : "f"]]);
    byId("grad-graph").replaceChildren(drawGraph(parseDot(printDot([f, d1])), names));
    const values = curves(ast).map((c) => Array.from(c, (v) => (Number.isFinite(v) ? v : null)));
    plot.set([xs.data, ...values]);
    status.textContent = `f and f′ share their common subexpressions: ${parseDot(printDot([f, d1])).length} nodes in the graph below`;
    status.dataset.state = "done";
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(show, 150);
  });
  byId<HTMLFormElement>("grad-controls").addEventListener("submit", (e) => {
    e.preventDefault();
    show();
  });
  show();
}
