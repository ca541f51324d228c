import { key } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { calculateGain, dense, fansOf, kaimingNormal, kaimingUniform, linearWeightBound, xavierNormal, xavierUniform, type Nonlinearity } from "../src/index.js";
import { fixture } from "./torch.js";

interface Ref {
  linear_default_init: { entries: { fan_in: number; weight_bound: number; bias_bound: number }[] };
  gains: Record<string, number>;
  pairs: { fan_in: number; fan_out: number; xavier_uniform_bound: number; xavier_normal_std: number; kaiming_uniform_bound: number; kaiming_normal_std: number }[];
  batchnorm_defaults: Record<string, number>;
}
const ref = fixture<Ref>("init-stats.json");
const close = (a: number, b: number): void => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-15 * Math.abs(b));

describe("initialisers follow PyTorch's formulas", () => {
  it("nn.Linear default bounds, and draws inside them", () => {
    for (const e of ref.linear_default_init.entries) {
      close(linearWeightBound(e.fan_in), e.weight_bound);
      close(1 / Math.sqrt(e.fan_in), e.bias_bound);
      const p = dense(e.fan_in, 50).init(key(e.fan_in), "f64");
      const w = Array.from((p.weight as { data: Float64Array }).data);
      const b = Array.from((p.bias as { data: Float64Array }).data);
      expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(e.weight_bound);
      expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(e.bias_bound);
      // U(−b, b) has variance b²/3; 50·fan_in draws put the sample variance well within 40 %.
      const variance = w.reduce((s, x) => s + x * x, 0) / w.length;
      expect(variance / (e.weight_bound ** 2 / 3)).toBeGreaterThan(0.6);
      expect(variance / (e.weight_bound ** 2 / 3)).toBeLessThan(1.4);
    }
  });

  it("calculate_gain", () => {
    const cases: [string, Nonlinearity, number?][] = [
      ["linear", "linear"],
      ["sigmoid", "sigmoid"],
      ["tanh", "tanh"],
      ["relu", "relu"],
      ["selu", "selu"],
      ["leaky_relu(0.01)", "leaky_relu"],
      ["leaky_relu(sqrt(5))", "leaky_relu", Math.sqrt(5)],
    ];
    for (const [name, nl, param] of cases) close(calculateGain(nl, param), ref.gains[name] as number);
  });

  it("xavier and kaiming bounds and standard deviations", () => {
    for (const p of ref.pairs) {
      const fans = { fanIn: p.fan_in, fanOut: p.fan_out };
      expect(fansOf([p.fan_out, p.fan_in])).toEqual(fans);
      // The fans, not the drawn shape, set the scale: a few rows are enough to check the bounds.
      const shape = [Math.min(p.fan_out, 4), Math.min(p.fan_in, 64)];
      const draw = (init: typeof xavierUniform extends (...a: never[]) => infer I ? I : never) => Array.from(init(key(1), shape, "f64", fans).data);
      const maxAbs = (xs: number[]): number => Math.max(...xs.map(Math.abs));
      expect(maxAbs(draw(xavierUniform()))).toBeLessThanOrEqual(p.xavier_uniform_bound);
      expect(maxAbs(draw(kaimingUniform()))).toBeLessThanOrEqual(p.kaiming_uniform_bound);
      // The normal initialisers scale a standard normal draw by exactly the reference std.
      const z = draw(kaimingNormal({ nonlinearity: "linear" }));
      const xn = draw(xavierNormal());
      const kn = draw(kaimingNormal());
      z.forEach((v, i) => {
        const scale = Math.sqrt(2 / (p.fan_in + p.fan_out)) / (1 / Math.sqrt(p.fan_in));
        expect(xn[i]).toBeCloseTo(v * scale, 12);
        expect(kn[i]).toBeCloseTo(v * Math.sqrt(2), 12);
      });
      close(p.xavier_normal_std, Math.sqrt(2 / (p.fan_in + p.fan_out)));
      close(p.kaiming_normal_std, Math.sqrt(2) / Math.sqrt(p.fan_in));
    }
  });
});
