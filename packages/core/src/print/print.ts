import type { Expr } from "../graph/expr.js";
import { inputsOf } from "../graph/topo.js";
import { simplify } from "../simplify/simplify.js";
import { type Doc, layout } from "./layout.js";
import { LATEX, type Printed, type Syntax, TEXT, atom } from "./syntax.js";

/** Options of `print` and `printLatex`. */
export interface PrintOptions {
  /** Simplify first (default false: print the graph as it is). */
  readonly simplify?: boolean;
  /** Name shared subexpressions with `let` (default true); false inlines everything. */
  readonly lets?: boolean;
}

/** Let names: a, b, c, … (skipping input names), then a₁, b₁, … */
function* names(taken: ReadonlySet<string>): Generator<string> {
  for (let round = 0; ; round++) {
    const suffix = round === 0 ? "" : [...String(round)].map((d) => "₀₁₂₃₄₅₆₇₈₉"[Number(d)]).join("");
    for (const c of "abcdefghijklmnopqrstuvw") if (!taken.has(c + suffix)) yield c + suffix;
  }
}

/** Prints the roots in one notation: `let` lines for shared non-trivial parts, then one line per root. */
function render(outputs: Expr | readonly Expr[], s: Syntax, options: PrintOptions): { lets: [string, string][]; roots: string[] } {
  const list = outputs instanceof Array ? outputs : [outputs as Expr];
  const roots = options.simplify ? simplify(list) : list;
  const docs = layout(roots);
  // Count the uses of every doc (a root counts as one), listing docs parts-first.
  const refs = new Map<Doc, number>();
  const order: Doc[] = [];
  const visit = (d: Doc): void => {
    const n = refs.get(d);
    refs.set(d, (n ?? 0) + 1);
    if (n !== undefined) return;
    d.parts.forEach(visit);
    order.push(d);
  };
  docs.forEach(visit);
  const fresh = names(new Set(inputsOf(roots).keys()));
  const named = new Map<Doc, string>();
  if (options.lets ?? true) for (const d of order) if (!d.trivial && (refs.get(d) ?? 0) > 1) named.set(d, fresh.next().value as string);

  const memo = new Map<Doc, Printed>();
  const body = (d: Doc): Printed => {
    let p = memo.get(d);
    if (p === undefined) {
      p = d.show(s, d.parts.map(ref));
      memo.set(d, p);
    }
    return p;
  };
  const ref = (d: Doc): Printed => {
    const name = named.get(d);
    return name === undefined ? body(d) : atom(name);
  };
  return { lets: [...named].map(([d, name]) => [name, body(d).text]), roots: docs.map((d) => ref(d).text) };
}

/**
 * Prints expressions as math: infix with only the parentheses precedence needs, a + (−b) as
 * a − b, a·(1/b) as a/b, x·x as x², softmax and one-hot by name, and shared non-trivial
 * subexpressions named by `let` lines before the result (one line per output).
 * @example
 * const x = input("x", [3]);
 * print(grad(sum(sigmoid(x)), [x])[0], { simplify: true });   // "σ(x)·(1 − σ(x))"
 */
export function print(outputs: Expr | readonly Expr[], options: PrintOptions = {}): string {
  const { lets, roots } = render(outputs, TEXT, options);
  return [...lets.map(([name, text]) => `let ${name} = ${text}`), ...roots].join("\n");
}

/**
 * The same as `print`, in LaTeX; with lets or several outputs, as an `aligned` block.
 * @example
 * printLatex(div(x, add(y, 1)));   // "\\frac{x}{y + 1}"
 */
export function printLatex(outputs: Expr | readonly Expr[], options: PrintOptions = {}): string {
  const { lets, roots } = render(outputs, LATEX, options);
  if (lets.length === 0 && roots.length === 1) return roots[0] as string;
  const lines = [...lets.map(([name, text]) => `${name} &= ${text}`), ...roots.map((r) => `&${r}`)];
  return `\\begin{aligned}\n${lines.join(" \\\\\n")}\n\\end{aligned}`;
}
