import { type Batch, type Tensor, foldIn, key, normal, constant, evaluate, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { accuracy, adam, batchNorm, crossEntropy, sgd, dense, dropout, evaluateModel, fit, flatten, relu, sequential, trainStep } from "../src/index.js";

/** Two Gaussian blobs in 2-D, centred at (−1.5, 0) (class 0) and (1.5, 0) (class 1). */
function blobs(n: number, seed: number): Batch {
  const z = evaluate(normal(constant(key(seed)), [n, 2], "f32")).data;
  const labels = Int32Array.from({ length: n }, (_, i) => i % 2);
  const x = Float32Array.from(z, (v, j) => v * 0.7 + (j % 2 === 0 ? ((labels[j >> 1] as number) === 1 ? 1.5 : -1.5) : 0));
  return { x: tensor(x, { shape: [n, 2] }), y: tensor(labels, { shape: [n] }) };
}

const split = (b: Batch, size: number): Batch[] => {
  const n = b.x.shape[0] as number;
  return Array.from({ length: n / size }, (_, k) => ({
    x: tensor(b.x.data.slice(k * size * 2, (k + 1) * size * 2), { shape: [size, 2] }),
    y: tensor(b.y.data.slice(k * size, (k + 1) * size), { shape: [size] }),
  }));
};

const model = sequential(dense(2, 16), relu(), dropout(0.1), dense(16, 2));
const train = split(blobs(256, 1), 32);
const test = split(blobs(128, 2), 64);

describe("fit", () => {
  it("learns a separable problem, reports per-epoch metrics and validation, and calls back", () => {
    const lines: string[] = [];
    let batches = 0;
    const { ts, history } = fit({
      model,
      loss: crossEntropy,
      optimizer: adam({ lr: 0.02 }),
      params: model.init(key(0)),
      data: () => train,
      validation: () => test,
      epochs: 10,
      metrics: [accuracy],
      progress: (line) => lines.push(line),
      callbacks: [{ onBatchEnd: () => batches++ }],
    });
    expect(history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(batches).toBe(80);
    expect(ts.step).toBe(80);
    expect(lines).toHaveLength(10);
    expect(lines[9]).toMatch(/^epoch 10\/10 {2}loss \S+ {2}accuracy \S+ {2}val loss \S+ {2}val accuracy \S+ {2}\d+\.\ds$/);
    const last = history[9];
    expect(last?.loss).toBeLessThan((history[0]?.loss ?? 0) / 2);
    expect(last?.validation?.accuracy).toBeGreaterThan(0.95);
    expect(evaluateModel(model, ts, test, { metrics: [accuracy] }).accuracy).toBe(last?.validation?.accuracy);
  });

  it("stops when a callback says so, and resumes from the returned state", () => {
    const first = fit({
      model,
      loss: crossEntropy,
      optimizer: adam({ lr: 0.02 }),
      params: model.init(key(0)),
      data: () => train,
      epochs: 10,
      progress: false,
      callbacks: [{ onEpochEnd: (log) => (log.epoch === 3 ? "stop" : undefined) }],
    });
    expect(first.history).toHaveLength(3);
    const more = fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.02 }), ts: first.ts, data: () => train, epochs: 1, progress: false });
    expect(more.ts.step).toBe(32);
    expect((flatten(more.ts.opt).step as Tensor).item()).toBe(32);
  });

  it("trains through batch norm: running statistics update in place and serve evaluation", () => {
    const bnModel = sequential(dense(2, 8), batchNorm(8), relu(), dense(8, 2));
    const { ts, history } = fit({
      model: bnModel,
      loss: crossEntropy,
      optimizer: sgd({ lr: 0.1, momentum: 0.9 }),
      params: bnModel.init(key(0)),
      data: () => train,
      validation: () => test,
      epochs: 5,
      metrics: [accuracy],
      progress: false,
    });
    const state = flatten(ts.state);
    expect((state["1.num_batches_tracked"] as Tensor).item()).toBe(40);
    expect(Array.from((state["1.running_var"] as Tensor).data).some((v) => v !== 1)).toBe(true);
    expect(history[4]?.validation?.accuracy).toBeGreaterThan(0.95);
  });

  it("is reproducible from the seed, and the functional step agrees with the session", () => {
    const trainer = trainStep(model, crossEntropy, adam({ lr: 0.02 }));
    const start = trainer.init(model.init(key(5)), { key: foldIn(key(9), 1) });
    const a = trainer.session(start);
    const b = trainer.session(start);
    let ts = start;
    for (const batch of train) {
      a.step(batch);
      b.step(batch);
      ts = trainer.step(ts, batch).ts;
    }
    const [pa, pb, pc] = [a, b, { snapshot: () => ts }].map((s) => flatten(s.snapshot().params)) as [Record<string, Tensor>, Record<string, Tensor>, Record<string, Tensor>];
    for (const k of Object.keys(pa)) {
      expect(Array.from((pb[k] as Tensor).data)).toEqual(Array.from((pa[k] as Tensor).data));
      expect(Array.from((pc[k] as Tensor).data)).toEqual(Array.from((pa[k] as Tensor).data));
    }
    // Sessions keep their state apart: interleaving two runs from different starts changes neither.
    const other = trainer.init(model.init(key(6)));
    const [alone, mixedA, mixedB] = [trainer.session(other), trainer.session(start), trainer.session(other)];
    for (const batch of train) alone.step(batch);
    for (const batch of train) {
      mixedA.step(batch);
      mixedB.step(batch);
      trainer.step(other, batch);
    }
    const [pAlone, pA, pB] = [alone, mixedA, mixedB].map((s) => flatten(s.snapshot().params)) as [Record<string, Tensor>, Record<string, Tensor>, Record<string, Tensor>];
    for (const k of Object.keys(pa)) {
      expect(Array.from((pA[k] as Tensor).data)).toEqual(Array.from((pa[k] as Tensor).data));
      expect(Array.from((pB[k] as Tensor).data)).toEqual(Array.from((pAlone[k] as Tensor).data));
    }
    // The start state was not modified by the in-place updates.
    expect(start.step).toBe(0);
    expect(Array.from((flatten(start.params)["0.weight"] as Tensor).data)).toEqual(Array.from((flatten(model.init(key(5)))["0.weight"] as Tensor).data));
  });
});
