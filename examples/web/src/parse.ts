// A small expression language in x: numbers, + − * / ^, parentheses, unary minus and a few
// functions, parsed by recursive descent into a tree that `build` turns into typegrad expressions.
import { type Expr, abs, add, constant, cos, div, exp, log, mul, neg, pow, relu, sigmoid, sin, softplus, sqrt, sub, tanh } from "@typegrad/core";

export type Ast =
  | { readonly kind: "num"; readonly value: number }
  | { readonly kind: "x" }
  | { readonly kind: "neg"; readonly arg: Ast }
  | { readonly kind: "bin"; readonly op: "+" | "-" | "*" | "/" | "^"; readonly lhs: Ast; readonly rhs: Ast }
  | { readonly kind: "call"; readonly fn: FnName; readonly arg: Ast };

export type FnName = "sin" | "cos" | "exp" | "log" | "sqrt" | "tanh" | "sigmoid" | "relu" | "softplus" | "abs";
const functions: Readonly<Record<FnName, (x: Expr) => Expr>> = { sin, cos, exp, log, sqrt, tanh, sigmoid, relu, softplus, abs };
export const FUNCTIONS = Object.keys(functions) as readonly FnName[];
const isFn = (s: string): s is FnName => s in functions;

/** A parse error with the position it refers to. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = "ParseError";
  }
}

const TOKEN = /\s*(?:(\d+\.?\d*(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)|([a-z]+)|(\*\*|[-+*/^()]))/iy;

function tokenize(src: string): { text: string; kind: "num" | "name" | "op"; at: number }[] {
  const tokens: { text: string; kind: "num" | "name" | "op"; at: number }[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < src.length) {
    const at = TOKEN.lastIndex;
    if (/^\s*$/.test(src.slice(at))) break;
    const m = TOKEN.exec(src);
    if (m === null) throw new ParseError(`unexpected "${src.slice(at).trim()[0]}" at ${at + 1}`, at);
    const [, num, name, op] = m;
    const start = at + (m[0].length - (num ?? name ?? op ?? "").length);
    if (num !== undefined) tokens.push({ text: num, kind: "num", at: start });
    else if (name !== undefined) tokens.push({ text: name, kind: "name", at: start });
    else tokens.push({ text: op === "**" ? "^" : (op ?? ""), kind: "op", at: start });
  }
  return tokens;
}

/**
 * Parses `src`: expr = term {(+|−) term}; term = unary {(*|/) unary}; unary = −unary | power;
 * power = atom [^ unary] (right-associative, binding tighter than unary minus on its left).
 */
export function parse(src: string): Ast {
  const tokens = tokenize(src);
  let i = 0;
  const peek = (): string | undefined => tokens[i]?.text;
  const where = (): number => tokens[i]?.at ?? src.length;
  const expect = (text: string): void => {
    if (peek() !== text) throw new ParseError(`expected "${text}" at ${where() + 1}${peek() === undefined ? " (end of input)" : `, got "${peek()}"`}`, where());
    i++;
  };
  const expr = (): Ast => {
    let lhs = term();
    for (let op = peek(); op === "+" || op === "-"; op = peek()) {
      i++;
      lhs = { kind: "bin", op, lhs, rhs: term() };
    }
    return lhs;
  };
  const term = (): Ast => {
    let lhs = unary();
    for (let op = peek(); op === "*" || op === "/"; op = peek()) {
      i++;
      lhs = { kind: "bin", op, lhs, rhs: unary() };
    }
    return lhs;
  };
  const unary = (): Ast => {
    if (peek() === "-") {
      i++;
      return { kind: "neg", arg: unary() };
    }
    if (peek() === "+") i++;
    const base = atom();
    if (peek() !== "^") return base;
    i++;
    return { kind: "bin", op: "^", lhs: base, rhs: unary() };
  };
  const atom = (): Ast => {
    const t = tokens[i];
    if (t === undefined) throw new ParseError("unexpected end of input", src.length);
    i++;
    if (t.kind === "num") return { kind: "num", value: Number(t.text) };
    if (t.text === "(") {
      const inner = expr();
      expect(")");
      return inner;
    }
    if (t.kind === "name") {
      if (t.text === "x") return { kind: "x" };
      if (!isFn(t.text)) throw new ParseError(`unknown name "${t.text}" at ${t.at + 1}: use x or one of ${FUNCTIONS.join(", ")}`, t.at);
      expect("(");
      const arg = expr();
      expect(")");
      return { kind: "call", fn: t.text, arg };
    }
    throw new ParseError(`unexpected "${t.text}" at ${t.at + 1}`, t.at);
  };
  const result = expr();
  if (i < tokens.length) throw new ParseError(`unexpected "${peek()}" at ${where() + 1}`, where());
  return result;
}

/** The expression of `ast` with `x` for the variable. */
export function build(ast: Ast, x: Expr): Expr {
  const go = (a: Ast): Expr => {
    switch (a.kind) {
      case "num":
        return constant(a.value, "f32");
      case "x":
        return x;
      case "neg":
        return neg(go(a.arg));
      case "call":
        return functions[a.fn](go(a.arg));
      case "bin": {
        const [l, r] = [go(a.lhs), go(a.rhs)];
        if (a.op === "+") return add(l, r);
        if (a.op === "-") return sub(l, r);
        if (a.op === "*") return mul(l, r);
        if (a.op === "/") return div(l, r);
        return pow(l, r);
      }
    }
  };
  return go(ast);
}
