// The testing toolkit itself: gradcheck finds wrong gradients and names them; the arbitraries
// respect their constraints and shrink.
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type Expr, ShapeError, ValueError, add, broadcastTo, input, matmul, mean, mul, primitives, square, stopGradient, sub, sum, take, tanh, tensor,
} from "../src/index.js";
import {
  GradcheckError, assertGradients, broadcastShapesArbitrary, caseArbitrary, describeReport, gradcheck, inputsArbitrary, samplerOf,
  shapeArbitrary, tensorArbitrary,
} from "../src/testing/index.js";

const f64 = (v: number[] | number[][]) => tensor(v, { dtype: "f64" });

describe("gradcheck", () => {
  it("passes correct gradients and compares the full Jacobian of small inputs", () => {
    const report = gradcheck((x, w) => tanh(matmul(x as Expr<[number, number], "f64">, w as Expr<[number, number], "f64">)), [f64([[1, 2], [0.5, -1]]), f64([[0.5], [-1]])]);
    expect(report.ok).toBe(true);
    expect(report.failures).toEqual([]);
    // Per input: one directional check, its Jacobian ([2,1] outputs × its elements) and H·v per element.
    expect(report.compared).toBe(2 * 1 + (2 * 4 + 2 * 2) + (4 + 2));
    expect(report.worst?.error).toBeLessThanOrEqual(report.worst?.tolerance as number);
  });

  it("names the input, element and values of a wrong gradient", () => {
    // x·stop(x) has the value x² but the gradient x: half the derivative.
    const report = gradcheck((x) => mul(x, stopGradient(x)), [f64([1, 2, 3])], { secondOrder: false });
    expect(report.ok).toBe(false);
    const worst = report.worst as NonNullable<typeof report.worst>;
    expect(worst.check).toBe("jacobian");
    expect(worst.input).toBe(0);
    // The largest miss is at x = 3, on the diagonal: analytic 3, numeric 6.
    expect(worst.index).toEqual([2]);
    expect(worst.output).toEqual([2]);
    expect(worst.analytic).toBeCloseTo(3, 12);
    expect(worst.numeric).toBeCloseTo(6, 6);
    expect(describeReport(report)).toMatch(/^gradcheck failed \d+ of \d+ comparisons; worst: jacobian of input 0 at \[2\] \(output \[2\]\): analytic 3/);
  });

  it("catches wrong second derivatives that first order cannot see", () => {
    // x·stop(x) − stop(x)²/2 has the value x²/2 and the right gradient (x), but that gradient is
    // stop(x), whose derivative is 0 where x²/2 has 1.
    const f = (x: Expr): Expr => sum(sub(mul(x, stopGradient(x)), mul(square(stopGradient(x)), 0.5)));
    const x = f64([0.5, -0.25]);
    expect(gradcheck(f, [x], { secondOrder: false }).ok).toBe(true);
    const report = gradcheck(f, [x]);
    expect(report.ok).toBe(false);
    expect(report.failures.map((e) => e.check)).toEqual(["hvp", "hvp"]);
  });

  it("differentiates float inputs only, promoting f32 to f64", () => {
    const rows = tensor([2, 0], { dtype: "i32" });
    const report = assertGradients((x, i) => take(x as Expr<number[], "f64">, i as Expr<number[], "i32">, 0), [tensor([[1, 2], [3, 4], [5, 6]]), rows]);
    expect(report.worst?.input).toBe(0);
    expect(report.compared).toBe(1 + 4 * 6 + 6); // input 0 only: direction, Jacobian [2,2]×[3,2], H·v
    expect(() => gradcheck((i) => i, [rows])).toThrow(ValueError);
  });

  it("assertGradients throws a GradcheckError carrying the report", () => {
    let caught: unknown;
    try {
      assertGradients((x) => mul(x, stopGradient(x)), [f64([1, 2])]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(GradcheckError);
    expect((caught as GradcheckError).report.ok).toBe(false);
    expect((caught as GradcheckError).message).toMatch(/worst: \w+ of input 0/);
  });
});

describe("arbitraries", () => {
  it("draws shapes within their bounds", () => {
    fc.assert(
      fc.property(shapeArbitrary({ minRank: 1, maxRank: 2, maxDim: 3 }), (shape) => {
        expect(shape.length).toBeGreaterThanOrEqual(1);
        expect(shape.length).toBeLessThanOrEqual(2);
        shape.forEach((d) => expect(d >= 1 && d <= 3).toBe(true));
      }),
    );
  });

  it("draws shape pairs that broadcast", () => {
    fc.assert(
      fc.property(broadcastShapesArbitrary(), ([a, b]) => {
        const y = add(input("a", a, "f64"), input("b", b, "f64"));
        expect(y.rank).toBe(Math.max(a.length, b.length));
        expect(() => broadcastTo(input("a", a, "f64"), y.shape)).not.toThrow(ShapeError);
      }),
    );
  });

  it("keeps values in [min, max], away from avoided points, and distinct", () => {
    const spec = { shape: [4, 4], min: -3, max: 3, avoid: [0, 1], distinct: true };
    fc.assert(
      fc.property(tensorArbitrary(spec), (t) => {
        expect(t.dtype).toBe("f64");
        const v = t.toFlat();
        v.forEach((x) => {
          expect(x >= -3 && x <= 3).toBe(true);
          expect(Math.abs(x) >= 0.1 && Math.abs(x - 1) >= 0.1).toBe(true);
        });
        const sorted = [...v].sort((a, b) => a - b);
        sorted.slice(1).forEach((x, i) => expect(x - (sorted[i] as number)).toBeGreaterThanOrEqual(0.1 - 1e-12));
      }),
    );
  });

  it("makes distinct inputs of one case distinct from each other, and respects dtypes", () => {
    const specs = [
      { shape: [3], min: -1, max: 1, distinct: true },
      { shape: [3], min: -1, max: 1, distinct: true },
      { shape: [2], dtype: "i32" as const, min: 0, max: 4 },
      { shape: [2], dtype: "bool" as const },
    ];
    fc.assert(
      fc.property(inputsArbitrary(specs, { dtype: "f32" }), ([a, b, i, c]) => {
        const all = [...(a?.toFlat() ?? []), ...(b?.toFlat() ?? [])];
        expect(new Set(all).size).toBe(6);
        expect([a?.dtype, b?.dtype, i?.dtype, c?.dtype]).toEqual(["f32", "f32", "i32", "bool"]);
        i?.toFlat().forEach((k) => expect(Number.isInteger(k) && k >= 0 && k <= 4).toBe(true));
      }),
    );
  });

  it("drives a primitive's domain from fast-check, so failures shrink to small cases", () => {
    const details = fc.check(
      fc.property(caseArbitrary(primitives.sum.domain), ({ inputs }) => (inputs[0]?.shape.length ?? 0) < 2),
      { seed: 1 },
    );
    expect(details.failed).toBe(true);
    // The smallest counterexample: rank 2 with dimensions 1.
    expect(details.counterexample?.[0].inputs[0]?.shape).toEqual([1, 1]);
  });

  it("gives a Sampler that answers within its ranges", () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const s = samplerOf(g);
        const k = s.int(2, 5);
        expect(k >= 2 && k <= 5).toBe(true);
        expect(["a", "b"]).toContain(s.pick(["a", "b"]));
        const shape = s.shape(1, 2);
        expect(shape.length >= 1 && shape.length <= 2).toBe(true);
      }),
    );
  });
});

describe("the examples of docs/testing.md", () => {
  it("checks a loss with data bound by name", () => {
    const x = input("x", [3, 2], "f64");
    const y = input("y", [3, 1], "f64");
    const loss = (w: Expr<[2, 1], "f64">) => mean(square(sub(tanh(matmul(x, w)), y)));
    const data = { x: tensor([[1, 2], [3, 4], [5, 6]], { dtype: "f64" }), y: tensor([[1], [0], [1]], { dtype: "f64" }) };
    assertGradients(loss, [tensor([[0.1], [0.2]])], { bindings: data });
    expect(() => gradcheck(loss, [tensor([[0.1], [0.2]])])).toThrow(/a tensor for input "x"/);
  });

  it("has correct gradients for any inputs in [-2, 2]", () => {
    const block = (x: Expr, w: Expr) => sum(tanh(add(mul(x, w), x)));
    const input = tensorArbitrary({ shape: [3, 4], min: -2, max: 2 });
    fc.assert(fc.property(input, input, (x, w) => void assertGradients(block, [x, w])));
  });
});
