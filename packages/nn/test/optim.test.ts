import { type Tensor, constant, evaluate, input, scalar, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { type Params, clipGradNorm, cosineDecay, exponentialDecay, sgd, stepDecay, warmup } from "../src/index.js";

const at = (schedule: (t: ReturnType<typeof scalar>) => unknown, t: number): number =>
  evaluate(schedule(scalar(t, "f64")) as ReturnType<typeof scalar>).item();

describe("learning-rate schedules", () => {
  it("follow PyTorch's StepLR, ExponentialLR and CosineAnnealingLR with one scheduler step per update", () => {
    for (let t = 0; t < 40; t++) {
      expect(at(stepDecay(0.1, 10, 0.5), t)).toBeCloseTo(0.1 * 0.5 ** Math.floor(t / 10), 15);
      expect(at(exponentialDecay(0.1, 0.9), t)).toBeCloseTo(0.1 * 0.9 ** t, 15);
      expect(at(cosineDecay(0.1, 30, 0.001), t)).toBeCloseTo(0.001 + ((0.1 - 0.001) * (1 + Math.cos((Math.PI * Math.min(t, 30)) / 30))) / 2, 15);
    }
  });

  it("warm up linearly, then hand over to the next schedule", () => {
    const s = warmup(4, cosineDecay(0.2, 10));
    expect([0, 1, 2, 3].map((t) => at(s, t))).toEqual([0.05, 0.1, 0.15, 0.2].map((v) => expect.closeTo(v, 15)));
    expect(at(s, 4)).toBeCloseTo(0.2, 15);
    expect(at(s, 9)).toBeCloseTo(0.1, 15);
    expect(at(warmup(2, 0.3), 7)).toBeCloseTo(0.3, 15);
  });

  it("drive the optimiser's learning rate inside the graph", () => {
    const opt = sgd({ lr: stepDecay(1, 2, 0.1) });
    const p = input("p", [1], "f64");
    const g = input("g", [1], "f64");
    let state: Params = opt.init({ p: tensor([0], { dtype: "f64" }) });
    let value: Tensor = tensor([0], { dtype: "f64" });
    const steps: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = opt.update({ p: g }, { step: constant(state.step as Tensor) }, { p });
      const [next, count] = evaluate([r.params.p as typeof p, r.state.step as typeof p], { p: value, g: tensor([1], { dtype: "f64" }) }) as readonly Tensor[];
      steps.push((value.data[0] as number) - ((next as Tensor).data[0] as number));
      value = next as Tensor;
      state = { step: count as Tensor };
    }
    expect(steps.map((s) => Number(s.toPrecision(12)))).toEqual([1, 1, 0.1, 0.1]);
  });
});

describe("clipGradNorm", () => {
  const apply = (grads: number[], maxNorm: number): number[] => {
    const opt = clipGradNorm(sgd({ lr: 1 }), maxNorm);
    const a = input("a", [2], "f64");
    const b = input("b", [1], "f64");
    const ga = constant(tensor(grads.slice(0, 2), { dtype: "f64" }));
    const gb = constant(tensor(grads.slice(2), { dtype: "f64" }));
    const state = opt.init({ a: tensor([0, 0], { dtype: "f64" }), b: tensor([0], { dtype: "f64" }) });
    const r = opt.update({ a: ga, b: gb }, { step: constant(state.step as Tensor) }, { a, b });
    const [na, nb] = evaluate([r.params.a as typeof a, r.params.b as typeof b], { a: tensor([0, 0], { dtype: "f64" }), b: tensor([0], { dtype: "f64" }) }) as readonly Tensor[];
    return [...Array.from((na as Tensor).data), ...Array.from((nb as Tensor).data)].map((v) => -v);
  };

  it("scales all gradients together by maxNorm/(‖g‖ + 1e-6) when the norm is larger", () => {
    const clipped = apply([3, 0, 4], 1);
    [3, 0, 4].forEach((g, i) => expect(clipped[i]).toBeCloseTo((g * 1) / (5 + 1e-6), 14));
  });

  it("leaves small gradients alone", () => {
    expect(apply([0.3, 0, 0.4], 1).map((v) => v + 0)).toEqual([0.3, 0, 0.4]);
  });
});
