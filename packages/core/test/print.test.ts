import { describe, expect, it } from "vitest";
import {
  add, div, exp, grad, greater, input, less, logSumExp, matmul, mean, mul, neg, oneHot, logSoftmax, pow, print, printDot, printLatex, reciprocal, relu, sigmoid, simplify,
  softmax, sub, sum, tanh, transpose, where,
} from "../src/index.js";

const x = input("x", [3], "f64");
const y = input("y", [3], "f64");
const z = input("z", [3], "f64");

describe("print", () => {
  it("prints simplified gradients as the textbook derivatives", () => {
    // σ′ = σ(1 − σ) and tanh′ = 1 − tanh².
    expect(print(simplify(grad(sum(sigmoid(x)), [x])[0]))).toBe("σ(x)·(1 − σ(x))");
    expect(print(simplify(grad(sum(tanh(x)), [x])[0]))).toBe("1 − tanh(x)²");
  });

  it("prints the gradient of softmax cross-entropy with respect to the logits", () => {
    // ∂/∂z of −(1/B) Σ onehot(y)·logSoftmax(z) is (softmax(z)·Σⱼ onehot(y)ⱼ − onehot(y))/B, and a
    // one-hot row (a row of the identity, labels out of range being an error) sums to 1.
    const logits = input("z", [4, 10], "f64");
    const labels = input("y", [4], "i32");
    const loss = mean(neg(sum(mul(oneHot(labels, 10, "f64"), logSoftmax(logits)), 1)));
    expect(print(grad(loss, [logits])[0], { simplify: true })).toBe("softmax(z)/4 − onehot(y)/4");
    expect(print(softmax(logits))).toBe("softmax(z)");
    expect(print(oneHot(labels, 10))).toBe("onehot(y)");
    // logSumExp in its stable form m + log Σ e^(z−m), and logSoftmax as z minus it.
    expect(print(logSumExp(logits))).toBe("logsumexp(z)");
    expect(print(logSoftmax(logits))).toBe("z − logsumexp(z)");
    expect(print(logSoftmax(logits, 0))).toBe("z − logsumexp_0(z)");
    expect(printLatex(logSumExp(logits, -1, true))).toBe("\\operatorname{logsumexp}(z)");
  });

  it("parenthesises by precedence only", () => {
    expect(print(sub(x, sub(y, z)))).toBe("x − (y − z)");
    expect(print(sub(sub(x, y), z))).toBe("x − y − z");
    expect(print(mul(add(x, y), z))).toBe("(x + y)·z");
    expect(print(add(x, mul(y, z)))).toBe("x + y·z");
    expect(print(div(x, mul(y, z)))).toBe("x/(y·z)");
    expect(print(div(add(x, 1), y))).toBe("(x + 1)/y");
    expect(print(neg(add(x, y)))).toBe("−(x + y)");
    expect(print(mul(x, neg(y)))).toBe("−x·y");
    expect(print(reciprocal(add(x, y)))).toBe("1/(x + y)");
    expect(print(pow(add(x, 1), 3))).toBe("(x + 1)³");
    expect(print(pow(x, y))).toBe("x^y");
    expect(print(mul(x, 0.5))).toBe("x/2");
    expect(print(sub(x, 2.5))).toBe("x − 2.5");
    const a = input("a", [2, 3], "f64");
    expect(print(mul(matmul(a, transpose(a)), 2))).toBe("2·(a @ aᵀ)");
    expect(print(transpose(add(a, 1)))).toBe("(a + 1)ᵀ");
    // A conditional binds loosest; a comparison brings its own brackets.
    const w = where(greater(x, 0), x, mul(x, 0.1));
    expect(print(w)).toBe("(0 < x) ? x : x/10");
    expect(print(add(w, 1))).toBe("((0 < x) ? x : x/10) + 1");
    expect(print(mul(2, w))).toBe("2·((0 < x) ? x : x/10)");
    expect(print(where(less(x, 1), w, 0))).toBe("(x < 1) ? ((0 < x) ? x : x/10) : 0");
    expect(print(grad(sum(relu(x)), [x])[0], { simplify: true })).toBe("(x ≤ 0) ? 0 : 1");
  });

  it("names shared non-trivial subexpressions and inlines trivial ones", () => {
    const t = exp(add(x, y));
    expect(print(mul(t, add(t, 1)))).toBe("let a = exp(x + y)\na·(a + 1)");
    expect(print(mul(t, add(t, 1)), { lets: false })).toBe("exp(x + y)·(exp(x + y) + 1)");
    expect(print(mul(sigmoid(x), sub(1, sigmoid(x))))).toBe("σ(x)·(1 − σ(x))");
    // Several outputs share one set of names; let names skip input names.
    const a = input("a", [3], "f64");
    const u = tanh(add(a, x));
    expect(print([mul(u, 2), add(u, 1)])).toBe("let b = tanh(a + x)\n2·b\nb + 1");
  });

  it("writes LaTeX", () => {
    expect(printLatex(div(x, add(y, 1)))).toBe("\\frac{x}{y + 1}");
    expect(printLatex(simplify(grad(sum(sigmoid(x)), [x])[0]))).toMatchInlineSnapshot(`"\\sigma(x) \\cdot \\left(1 - \\sigma(x)\\right)"`);
    const t = exp(add(x, y));
    expect(printLatex(mul(t, pow(add(t, 1), 2)))).toMatchInlineSnapshot(`
      "\\begin{aligned}
      a &= \\exp(x + y) \\\\
      &a \\cdot {\\left(a + 1\\right)}^{2}
      \\end{aligned}"
    `);
  });

  it("writes Graphviz DOT with stable node numbers", () => {
    expect(printDot(mul(sigmoid(x), x))).toMatchInlineSnapshot(`
      "digraph {
        node [shape=box, fontname=Helvetica];
        n0 [label="x\\nf64[3]"];
        n1 [label="σ\\nf64[3]"];
        n0 -> n1;
        n2 [label="·\\nf64[3]", style=bold];
        n1 -> n2;
        n0 -> n2;
      }"
    `);
  });
});

describe("printing f32 constants", () => {
  it("shows the shortest decimal that rounds to the same f32", async () => {
    const { input, mean, mul, print, simplify } = await import("../src/index.js");
    const x = input("x", [100]);
    expect(print(simplify(mean(mul(x, x))))).toBe("Σ(x²)/100");
    expect(print(simplify(mul(x, 0.3)))).toBe("0.3·x");
  });
});
