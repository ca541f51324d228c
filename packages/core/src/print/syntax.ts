import { showElement } from "../ops/constant.js";
import type { DType } from "../tensor/dtype.js";
// The two notations the printer writes: Unicode text and LaTeX. A printed piece carries the
// precedence of its outermost operator, so parentheses are added exactly where they are needed.

/** Precedences: sums (and a leading minus, as −x reads 0 − x), products, powers, atoms; conditionals (c ? a : b) are 0, below all. */
export const ADD = 1;
export const MUL = 2;
export const POW = 3;
export const ATOM = 9;

/** Printed text, the precedence of its outermost operator, and its infix symbol if it has one. */
export interface Printed {
  readonly text: string;
  readonly prec: number;
  readonly infix?: string;
  /** When the text starts with a minus: the text without it (so a + (−b) prints as a − b). */
  readonly negated?: Printed;
}

export const atom = (text: string): Printed => ({ text, prec: ATOM });

const SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹";

/** How one notation writes each construct. */
export interface Syntax {
  readonly latex: boolean;
  paren(text: string): string;
  /** A number as an element of `dtype` shows it (the shortest decimal that reads back the same). */
  number(v: number, dtype?: DType): Printed;
  call(name: string, latex: string, args: readonly string[]): Printed;
  /** base^k for a small natural k. */
  power(base: Printed, k: number): Printed;
  /** A product: numerator and denominator factors. */
  product(num: readonly Printed[], den: readonly Printed[]): Printed;
  negate(x: Printed): Printed;
  /** a + b, or a − c when b = −c. */
  sum(a: Printed, b: Printed): Printed;
  /** a symbol b, for other infix ops (matmul, pow with a general exponent). */
  infix(symbol: string, latex: string, prec: number, a: Printed, b: Printed): Printed;
}

function makeSyntax(latex: boolean): Syntax {
  const minus = latex ? "-" : "−";
  const times = latex ? " \\cdot " : "·";
  const paren = (t: string): string => (latex ? `\\left(${t}\\right)` : `(${t})`);
  /** A factor of a product: sums and other infix ops at its level are parenthesised. */
  const factor = (p: Printed): string => (p.prec < MUL || (p.prec === MUL && p.infix !== "·") ? paren(p.text) : p.text);
  const magnitude = (v: number, dtype: DType): string => (Number.isNaN(v) ? (latex ? "\\mathrm{NaN}" : "NaN") : v === Infinity ? (latex ? "\\infty" : "∞") : showElement(v, dtype));
  const s: Syntax = {
    latex,
    paren,
    number: (v, dtype = "f64") => {
      if (!(v < 0 || Object.is(v, -0))) return atom(magnitude(v, dtype));
      const negated = atom(magnitude(-v, dtype));
      return { text: minus + negated.text, prec: ADD, negated };
    },
    call: (name, tex, args) => atom(`${latex ? tex : name}(${args.join(", ")})`),
    power: (base, k) => {
      const b = base.prec >= ATOM ? base.text : paren(base.text);
      return { text: latex ? `{${b}}^{${k}}` : b + [...String(k)].map((d) => SUPERSCRIPTS[Number(d)]).join(""), prec: POW };
    },
    product: (num, den) => {
      if (den.length === 0 && num.length === 1) return num[0] as Printed;
      const top = num.length === 0 ? "1" : num.length === 1 && den.length > 0 && latex ? (num[0] as Printed).text : num.map(factor).join(times);
      if (den.length === 0) return { text: top, prec: MUL, infix: "·" };
      if (latex) return { text: `\\frac{${top}}{${den.length === 1 ? (den[0] as Printed).text : den.map(factor).join(times)}}`, prec: MUL, infix: "·" };
      const only = den.length === 1 ? (den[0] as Printed) : undefined;
      const bottom = only === undefined ? paren(den.map(factor).join(times)) : only.prec > MUL ? only.text : paren(only.text);
      return { text: `${num.length === 1 ? factor(num[0] as Printed) : top}/${bottom}`, prec: MUL, infix: "·" };
    },
    negate: (x) => ({ text: minus + (x.prec < MUL ? paren(x.text) : x.text), prec: ADD, negated: x }),
    sum: (a, b) => {
      const left = a.prec < ADD ? paren(a.text) : a.text;
      const text = b.negated
        ? `${left} ${minus} ${b.negated.prec <= ADD ? paren(b.negated.text) : b.negated.text}`
        : `${left} + ${b.prec < ADD ? paren(b.text) : b.text}`;
      return { text, prec: ADD, infix: "+" };
    },
    infix: (symbol, tex, prec, a, b) => {
      // Only + and · chain without parentheses; a matmul next to a product, or a power, is bracketed.
      const left = a.prec < prec || (a.prec === prec && (a.infix !== symbol || symbol === "^")) ? paren(a.text) : a.text;
      const right = b.prec < prec || (b.prec === prec && b.infix !== symbol) || (b.prec === prec && symbol === "^") ? paren(b.text) : b.text;
      if (symbol === "^") return { text: latex ? `{${left}}^{${b.text}}` : `${left}^${right}`, prec, infix: symbol };
      return { text: latex ? `${left} ${tex} ${right}`.replace("  ", " ") : `${left} ${symbol} ${right}`, prec, infix: symbol };
    },
  };
  return s;
}

export const TEXT = makeSyntax(false);
export const LATEX = makeSyntax(true);
