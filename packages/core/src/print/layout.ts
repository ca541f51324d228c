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
  const l = new Layout(roots);
  return roots.map((r) => l.docOf(r));
}

const isTransparent = (e: Expr): boolean => {
  const form = formOf(e);
  return oneHotOf(e) === undefined && (form.kind === "transparent" || (form.kind === "custom" && form.transparentWhen?.(e.params, e.inputs) === true));
};
const through = (e: Expr): Expr => (isTransparent(e) ? through(arg(e)) : e);

/** The factors of a flattened product: coefficients, numerator and denominator, and its sign. */
interface Factors {
  readonly num: Expr[];
  readonly den: Expr[];
  readonly coefficients: number[];
  negative: boolean;
}

/** The documents of one graph, each node's made once (and composites' once per operand and axis). */
class Layout {
  /** Uses of each node in the graph (a root counts as one), to decide which products flatten. */
  private readonly uses = new Map<Expr, number>();
  private readonly memo = new Map<Expr | string, Doc>();

  constructor(roots: readonly Expr[]) {
    for (const e of topoSort(roots)) for (const x of e.inputs) this.uses.set(x, (this.uses.get(x) ?? 0) + 1);
    for (const r of roots) this.uses.set(r, (this.uses.get(r) ?? 0) + 1);
  }

  docOf(e: Expr): Doc {
    let d = this.memo.get(e);
    if (d === undefined) {
      d = this.make(e);
      this.memo.set(e, d);
    }
    return d;
  }

  private named(key: string, name: string, latex: string, x: Expr): Doc {
    const found = this.memo.get(key);
    if (found) return found;
    const d = doc([this.docOf(x)], (s, [a]) => s.call(name, latex, [(a as Printed).text]));
    this.memo.set(key, d);
    return d;
  }

  /** A softmax-like composite of z along `axis`, its axis shown unless it is the last. */
  private alongAxis(name: string, z: Expr, axis: number): Doc {
    const last = axis === z.rank - 1;
    return this.named(`${name} ${z.id} ${axis}`, last ? name : `${name}_${axis}`, last ? `\\operatorname{${name}}` : `\\operatorname{${name}}_{${axis}}`, z);
  }

  /** A node's document: a named composite, a constant, a product, a small power, or its print form. */
  private make(e: Expr): Doc {
    const labels = oneHotOf(e);
    if (labels) return this.named(`onehot ${labels.id}`, "onehot", "\\operatorname{onehot}", labels);
    const lse = logSumExpOf(e);
    if (lse) return this.alongAxis("logsumexp", lse.z, lse.axis);
    const v = splatValue(e);
    if (v !== undefined) return doc([], (s) => s.number(v, e.dtype));
    if (isTransparent(e)) return this.docOf(arg(e));
    if (e.op === "mul" || e.op === "neg" || e.op === "reciprocal") return this.product(e);
    const p = e.op === "pow" ? splatValue(e.inputs[1] as Expr) : undefined;
    if (p !== undefined && Number.isInteger(p) && p >= 2 && p <= 9) return doc([this.docOf(arg(e))], (s, [b]) => s.power(b as Printed, p));
    return this.formed(e, formOf(e));
  }

  /** A node printed by its primitive's print form. */
  private formed(e: Expr, form: PrintForm<OpParams[OpName]>): Doc {
    const parts = e.inputs.map((x) => this.docOf(x));
    switch (form.kind) {
      case "call":
        return doc(parts, (s, args) => s.call(form.name, form.latex, args.map((a) => a.text)));
      case "prefix":
        return doc(parts, (s, [a]) => ({ text: (s.latex ? form.latex : form.symbol) + ((a as Printed).prec <= form.prec ? s.paren((a as Printed).text) : (a as Printed).text), prec: form.prec }));
      case "infix":
        return doc(parts, (s, [a, b]) => (e.op === "add" ? s.sum(a as Printed, b as Printed) : s.infix(form.symbol, form.latex, form.prec, a as Printed, b as Printed)));
      case "transparent":
        return this.docOf(arg(e));
      case "custom":
        return doc(parts, (s, args) => {
          const bracket = (a: Printed): boolean => (form.atomArgs === true && a.prec < ATOM) || (form.prec !== undefined && a.prec <= form.prec);
          const texts = args.map((a) => (bracket(a) ? s.paren(a.text) : a.text));
          return { text: (s.latex ? form.latex : form.text)(texts, e.params, e.inputs), prec: form.prec ?? ATOM };
        });
    }
  }

  /** Flattens a product of mul, neg and reciprocal nodes through nodes used only here. */
  private factors(e: Expr): Factors {
    const f: Factors = { num: [], den: [], coefficients: [], negative: false };
    const walk = (x: Expr, inverted: boolean): void => {
      const y = through(x);
      const v = splatValue(y);
      const flat = x === e || ((this.uses.get(x) ?? 0) <= 1 && (this.uses.get(y) ?? 0) <= 1);
      if (v !== undefined && !inverted) {
        f.negative = f.negative !== (v < 0);
        f.coefficients.push(Math.abs(v));
      } else if (flat && y.op === "mul") (y.inputs as Expr[]).forEach((i) => walk(i, inverted));
      else if (flat && y.op === "neg") {
        f.negative = !f.negative;
        walk(arg(y), inverted);
      } else if (flat && y.op === "reciprocal") walk(arg(y), !inverted);
      else (inverted ? f.den : f.num).push(y);
    };
    walk(e, false);
    return f;
  }

  /** A product as numerator over denominator, with its coefficients and sign. */
  private product(e: Expr): Doc {
    const { num, den, coefficients, negative } = this.factors(e);
    // c = 1/n prints as a division by n; a factor 1 next to others is not shown.
    const asElement = (v: number): number => (e.dtype === "f32" ? Math.fround(v) : v);
    const isInverse = (c: number): boolean => c > 0 && c < 1 && asElement(1 / Math.round(1 / c)) === c;
    const shown = coefficients.filter((c) => !(c === 1 && coefficients.length + num.length + den.length > 1));
    const divisors = shown.filter(isInverse).map((c) => Math.round(1 / c));
    const factors = shown.filter((c) => !isInverse(c));
    const numDocs = num.map((x) => this.docOf(x));
    // e·(1/Σe) with e = exp(z − max z) is softmax(z).
    const denExprs = den.filter((s) => {
      const i = num.findIndex((x, k) => numDocs[k] === this.docOf(x) && softmaxOf(x, s) !== undefined);
      const m = i < 0 ? undefined : softmaxOf(num[i] as Expr, s);
      if (m === undefined) return true;
      numDocs[i] = this.alongAxis("softmax", m.z, m.axis);
      return false;
    });
    const denDocs = denExprs.map((x) => this.docOf(x));
    return doc([...numDocs, ...denDocs], (s, parts) => {
      const top = [...factors.map((v) => s.number(v, e.dtype)), ...powers(s, numDocs, parts.slice(0, numDocs.length))];
      const bottom = [...divisors.map((v) => s.number(v, e.dtype)), ...powers(s, denDocs, parts.slice(numDocs.length))];
      const body = s.product(top, bottom);
      return negative ? s.negate(body) : body;
    });
  }
}
