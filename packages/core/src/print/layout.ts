// The printer's view of a graph: a DAG of documents. Transparent nodes (broadcast, cast) vanish,
// products of mul, neg and reciprocal flatten into numerator and denominator, and named
// composites (softmax, onehot) replace their parts. Sharing is decided on this DAG, so a node a
// pattern consumed does not count as a use.
import type { Expr } from "../graph/expr.js";
import type { PrintForm } from "../graph/primitive.js";
import { topoSort } from "../graph/topo.js";
import { type OpName, type OpParams, primitiveOf } from "../ops/index.js";
import { arg, splatValue } from "../simplify/splat.js";
import { logSumExpOf, oneHotOf, softmaxOf } from "./patterns.js";
import { ATOM, type Printed, type Syntax } from "./syntax.js";

/** One printable piece: its parts (printed first) and how it prints from theirs. */
export interface Doc {
  readonly parts: readonly Doc[];
  /** Printed inline even when used more than once: leaves and one-operand forms of leaves, such as σ(x). */
  readonly trivial: boolean;
  readonly show: (s: Syntax, parts: readonly Printed[]) => Printed;
}

const doc = (parts: readonly Doc[], show: Doc["show"]): Doc => ({
  parts,
  trivial: parts.length === 0 || (parts.length === 1 && (parts[0] as Doc).parts.length === 0),
  show,
});

const formOf = (e: Expr): PrintForm<OpParams[OpName]> => primitiveOf(e).print;

/** Same docs in a row of factors become one power: x·x → x². */
function powers(s: Syntax, docs: readonly Doc[], printed: readonly Printed[]): Printed[] {
  const counts = new Map<Doc, { p: Printed; k: number }>();
  docs.forEach((d, i) => {
    const c = counts.get(d);
    if (c) c.k++;
    else counts.set(d, { p: printed[i] as Printed, k: 1 });
  });
  return [...counts.values()].map(({ p, k }) => (k === 1 ? p : s.power(p, k)));
}

/** Builds the documents of the roots' graph. */
export function layout(roots: readonly Expr[]): Doc[] {
  const uses = new Map<Expr, number>();
  for (const e of topoSort(roots)) for (const x of e.inputs) uses.set(x, (uses.get(x) ?? 0) + 1);
  for (const r of roots) uses.set(r, (uses.get(r) ?? 0) + 1);
  const memo = new Map<Expr | string, Doc>();

  const named = (key: string, name: string, latex: string, x: Expr): Doc => {
    const found = memo.get(key);
    if (found) return found;
    const d = doc([docOf(x)], (s, [a]) => s.call(name, latex, [(a as Printed).text]));
    memo.set(key, d);
    return d;
  };
  /** A softmax-like composite of z along `axis`, its axis shown unless it is the last. */
  const alongAxis = (name: string, z: Expr, axis: number): Doc => {
    const last = axis === z.rank - 1;
    return named(`${name} ${z.id} ${axis}`, last ? name : `${name}_${axis}`, last ? `\\operatorname{${name}}` : `\\operatorname{${name}}_{${axis}}`, z);
  };
  const isTransparent = (e: Expr): boolean => {
    const form = formOf(e);
    return oneHotOf(e) === undefined && (form.kind === "transparent" || (form.kind === "custom" && form.transparentWhen?.(e.params, e.inputs) === true));
  };
  const through = (e: Expr): Expr => (isTransparent(e) ? through(arg(e)) : e);

  function docOf(e: Expr): Doc {
    let d = memo.get(e);
    if (d === undefined) {
      d = make(e);
      memo.set(e, d);
    }
    return d;
  }

  function make(e: Expr): Doc {
    const labels = oneHotOf(e);
    if (labels) return named(`onehot ${labels.id}`, "onehot", "\\operatorname{onehot}", labels);
    const lse = logSumExpOf(e);
    if (lse) return alongAxis("logsumexp", lse.z, lse.axis);
    const v = splatValue(e);
    if (v !== undefined) return doc([], (s) => s.number(v, e.dtype));
    if (isTransparent(e)) return docOf(arg(e));
    if (e.op === "mul" || e.op === "neg" || e.op === "reciprocal") return product(e);
    const p = e.op === "pow" ? splatValue(e.inputs[1] as Expr) : undefined;
    if (p !== undefined && Number.isInteger(p) && p >= 2 && p <= 9) return doc([docOf(arg(e))], (s, [b]) => s.power(b as Printed, p));
    const form = formOf(e);
    const parts = e.inputs.map(docOf);
    switch (form.kind) {
      case "call":
        return doc(parts, (s, args) => s.call(form.name, form.latex, args.map((a) => a.text)));
      case "prefix":
        return doc(parts, (s, [a]) => ({ text: (s.latex ? form.latex : form.symbol) + ((a as Printed).prec <= form.prec ? s.paren((a as Printed).text) : (a as Printed).text), prec: form.prec }));
      case "infix":
        return doc(parts, (s, [a, b]) => (e.op === "add" ? s.sum(a as Printed, b as Printed) : s.infix(form.symbol, form.latex, form.prec, a as Printed, b as Printed)));
      case "transparent":
        return docOf(arg(e));
      case "custom":
        return doc(parts, (s, args) => {
          const bracket = (a: Printed): boolean => (form.atomArgs === true && a.prec < ATOM) || (form.prec !== undefined && a.prec <= form.prec);
          const texts = args.map((a) => (bracket(a) ? s.paren(a.text) : a.text));
          return { text: (s.latex ? form.latex : form.text)(texts, e.params, e.inputs), prec: form.prec ?? ATOM };
        });
    }
  }

  /** A product of mul, neg and reciprocal nodes, flattened through nodes used only here. */
  function product(e: Expr): Doc {
    const num: Expr[] = [];
    const den: Expr[] = [];
    const coefficients: number[] = [];
    let negative = false;
    const walk = (x: Expr, inverted: boolean): void => {
      const y = through(x);
      const v = splatValue(y);
      const flat = x === e || ((uses.get(x) ?? 0) <= 1 && (uses.get(y) ?? 0) <= 1);
      if (v !== undefined && !inverted) {
        negative = negative !== (v < 0);
        coefficients.push(Math.abs(v));
      } else if (flat && y.op === "mul") (y.inputs as Expr[]).forEach((i) => walk(i, inverted));
      else if (flat && y.op === "neg") {
        negative = !negative;
        walk(arg(y), inverted);
      } else if (flat && y.op === "reciprocal") walk(arg(y), !inverted);
      else (inverted ? den : num).push(y);
    };
    walk(e, false);
    // c = 1/n prints as a division by n; a factor 1 next to others is not shown.
    const asElement = (v: number): number => (e.dtype === "f32" ? Math.fround(v) : v);
    const isInverse = (c: number): boolean => c > 0 && c < 1 && asElement(1 / Math.round(1 / c)) === c;
    const shown = coefficients.filter((c) => !(c === 1 && coefficients.length + num.length + den.length > 1));
    const divisors = shown.filter(isInverse).map((c) => Math.round(1 / c));
    const factors = shown.filter((c) => !isInverse(c));
    const numDocs = num.map(docOf);
    // e·(1/Σe) with e = exp(z − max z) is softmax(z).
    const denExprs = den.filter((s) => {
      const i = num.findIndex((x, k) => numDocs[k] === docOf(x) && softmaxOf(x, s) !== undefined);
      const m = i < 0 ? undefined : softmaxOf(num[i] as Expr, s);
      if (m === undefined) return true;
      numDocs[i] = alongAxis("softmax", m.z, m.axis);
      return false;
    });
    const denDocs = denExprs.map(docOf);
    return doc([...numDocs, ...denDocs], (s, parts) => {
      const top = [...factors.map((v) => s.number(v, e.dtype)), ...powers(s, numDocs, parts.slice(0, numDocs.length))];
      const bottom = [...divisors.map((v) => s.number(v, e.dtype)), ...powers(s, denDocs, parts.slice(numDocs.length))];
      const body = s.product(top, bottom);
      return negative ? s.negate(body) : body;
    });
  }

  return roots.map(docOf);
}
