import { type Batch, type Tensor, key, tensor } from "@typegrad/core";
import fc from "fast-check";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import {
  type TrainState, NonFiniteError, adam, batchNorm, crossEntropy, dense, dropout, evaluateModel, fit, flatten, mse, predict, relu,
  sequential, sigmoid, trainStep,
} from "../src/index.js";

const classifier = sequential(dense(3, 6), batchNorm(6), relu(), dropout(0.25), dense(6, 2));

/** A batch of `n` samples with 3 features and labels in {0, 1}, from a seed. */
function batchOf(seed: number, n = 4): Batch {
  const x = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(seed * 7.1 + i * 1.3));
  const y = Int32Array.from({ length: n }, (_, i) => (seed + i) % 2);
  return { x: tensor(x, { shape: [n, 3] }), y: tensor(y, { shape: [n] }) };
}

/** Batches that fail, each for another reason: a label out of range, NaN inputs, wrong features, no rows, float labels. */
const failing: (() => Batch)[] = [
  () => ({ ...batchOf(1), y: tensor(Int32Array.of(0, 1, 2, 0), { shape: [4] }) }),
  () => ({ ...batchOf(2), y: tensor(Int32Array.of(0, -1, 1, 0), { shape: [4] }) }),
  () => ({ ...batchOf(3), x: tensor(Float32Array.from({ length: 12 }, (_, i) => (i === 5 ? NaN : i / 12)), { shape: [4, 3] }) }),
  () => ({ ...batchOf(4), x: tensor(Float32Array.from({ length: 12 }, (_, i) => (i === 0 ? Infinity : i)), { shape: [4, 3] }) }),
  () => ({ x: tensor(new Float32Array(8), { shape: [4, 2] }), y: batchOf(5).y }),
  () => ({ x: tensor(new Float32Array(0), { shape: [0, 3] }), y: tensor(new Int32Array(0), { shape: [0] }) }),
  () => ({ ...batchOf(6), y: tensor([0, 1, 0, 1], { shape: [4] }) }),
];

const leaves = (ts: TrainState): Record<string, number[]> =>
  Object.fromEntries(
    Object.entries({ ...flatten(ts.params), ...flatten(ts.state), ...flatten(ts.opt) }).map(([k, t]) => [k, Array.from((t as Tensor).data)]),
  );

describe("training sessions", () => {
  it("are transactional: failing batches interleaved with good ones leave the state of the good ones alone", () => {
    const trainer = trainStep(classifier, crossEntropy, adam({ lr: 0.05 }));
    const start = trainer.init(classifier.init(key(0)), { key: key(3) });
    const good = Array.from({ length: 6 }, (_, i) => batchOf(10 + i));
    const alone = trainer.session(start);
    for (const b of good) alone.step(b);
    const expected = alone.snapshot();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length), fc.nat(failing.length - 1)), { maxLength: 6 }), (inserts) => {
        const s = trainer.session(start);
        const sequence: (Batch | (() => Batch))[] = [...good];
        for (const [at, which] of inserts) sequence.splice(at, 0, failing[which] as () => Batch);
        for (const item of sequence) {
          if (typeof item === "function") expect(() => s.step(item())).toThrow();
          else s.step(item);
        }
        const got = s.snapshot();
        expect(got.step).toBe(expected.step);
        expect(leaves(got)).toEqual(leaves(expected));
      }),
      { numRuns: 12 },
    );
  });

  it("stop on a non-finite loss with an error naming the epoch and batch, without applying the step", () => {
    const model = sequential(dense(3, 4), sigmoid(), dense(4, 2));
    const params = model.init(key(1));
    const bad = failing[2] as () => Batch;
    const data = (epoch: number): Batch[] => [batchOf(1), batchOf(2), ...(epoch === 2 ? [bad()] : []), batchOf(3)];
    const seen: number[] = [];
    const run = (): unknown => fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.01 }), params, data, epochs: 3, progress: false, callbacks: [{ onBatchEnd: ({ batch }) => seen.push(batch) }] });
    expect(run).toThrow(NonFiniteError);
    expect(run).toThrow(/fit: expected a finite loss and gradient norm, got .* at epoch 2, batch 3 \(step 6\); the step was not applied/);
    expect(seen.slice(0, 5)).toEqual([1, 2, 3, 1, 2]);
    // The state after the failure is the state after the steps before it.
    const session = trainStep(model, crossEntropy, adam({ lr: 0.01 })).session(trainStep(model, crossEntropy, adam({ lr: 0.01 })).init(params));
    for (const b of [...data(1), batchOf(1), batchOf(2)]) session.step(b);
    expect(() => session.step(bad())).toThrow(NonFiniteError);
    const before = leaves(session.snapshot());
    session.step(batchOf(3));
    expect(leaves(session.snapshot())).not.toEqual(before);
    // Turned off, training goes on and reports the NaN.
    const { history } = fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.01 }), params, data, epochs: 2, progress: false, checkFinite: false });
    expect(history[1]?.loss).toBeNaN();
  });

  it("report an epoch without batches instead of a loss of 0", () => {
    const model = sequential(dense(3, 2));
    const used = [batchOf(1)][Symbol.iterator]();
    expect(() => fit({ model, loss: crossEntropy, optimizer: adam(), params: model.init(key(0)), data: () => ({ [Symbol.iterator]: () => used }), epochs: 2, progress: false })).toThrow(
      /fit: expected batches in every epoch, got none in epoch 2/,
    );
  });

  it("share built and compiled steps across fit calls, sessions and equal optimisers made apart", () => {
    const inner = sequential(dense(3, 5), relu(), dense(5, 2));
    let builds = 0;
    // The same model, counting how often its graph is built.
    const model: typeof inner = { ...inner, call: (...args) => (builds++, inner.call(...args)) };
    const params = model.init(key(2));
    const data = (): Batch[] => [batchOf(1), batchOf(2)];
    const { ts } = fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.01 }), params, data, epochs: 1, progress: false });
    const other = fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.01 }), params, data, epochs: 1, progress: false }).ts;
    const trainer = trainStep(model, crossEntropy, adam({ lr: 0.01 }));
    const session = trainer.session(trainer.init(params));
    for (const b of data()) session.step(b);
    expect(builds).toBe(1);
    // Each run owns its memory: runs from the same start end in the same state.
    expect(leaves(other)).toEqual(leaves(ts));
    expect(leaves(session.snapshot())).toEqual(leaves(ts));
    // Another learning rate is another step.
    fit({ model, loss: crossEntropy, optimizer: adam({ lr: 0.02 }), params, data, epochs: 1, progress: false });
    expect(builds).toBe(2);
  });

  it("keep predict bound: parameters are copied in when they change, not on every call", () => {
    const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
    const a = { params: model.init(key(0)), state: {} };
    const b = { params: model.init(key(1)), state: {} };
    const x = tensor([[0.5]]);
    const [ya, yb] = [predict(model, a, x).item(), predict(model, b, x).item()];
    expect(ya).not.toBe(yb);
    expect(predict(model, a, x).item()).toBe(ya);
    expect(predict(model, a, x).item()).toBe(ya);
    expect(predict(model, b, x).item()).toBe(yb);
    expect(evaluateModel(model, a, [{ x, y: tensor([[ya]]) }], { loss: mse }).loss).toBe(0);
    expect(predict(model, b, x).item()).toBe(yb);
  });
});

/** The V8 garbage collector, exposed at run time. */
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

describe("the user's path allocates nothing per step", () => {
  const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
  const samples: Batch[] = Array.from({ length: 100 }, (_, i) => ({ x: tensor([(3 * i) / 99]), y: tensor([2.3 * ((3 * i) / 99) + 4.7]) }));
  const many = Array.from({ length: 10_000 }, (_, i) => samples[i % 100] as Batch);
  const gc = collector();
  // 10,000 steps allocating even 100 bytes each would add ~1 MB.
  const limit = 500_000;
  /**
   * Heap growth over `run`, after warm-up runs (so the loops run optimised), with (`retained`) or
   * without a collection at the end; the least of up to ten measurements, since the test runner
   * allocates now and then in the background, and on a loaded machine the optimised code (which
   * keeps numbers unboxed) can take a while to arrive.
   */
  const growth = (run: () => void, retained: boolean): number => {
    for (let i = 0; i < 3; i++) run();
    const once = (): number => {
      gc();
      const before = process.memoryUsage().heapUsed;
      run();
      if (retained) gc();
      return process.memoryUsage().heapUsed - before;
    };
    let least = once();
    for (let i = 0; i < 9 && least > limit / 4; i++) least = Math.min(least, once());
    return least;
  };

  it("over 10,000 steps of a trainStep session", () => {
    const trainer = trainStep(model, mse, adam({ lr: 0.02 }));
    const session = trainer.session(trainer.init(model.init(key(0))));
    expect(growth(() => many.forEach((b) => session.step(b)), false)).toBeLessThan(limit);
  });

  it("over 10,000 steps of fit (beyond what a call of 100 steps allocates)", () => {
    const params = model.init(key(0));
    const run = (data: Batch[]) => (): unknown => fit({ model, loss: mse, optimizer: adam({ lr: 0.02 }), params, data: () => data, epochs: 1, progress: false });
    expect(growth(run(many), false) - growth(run(samples), false)).toBeLessThan(limit);
  });

  const values = { params: model.init(key(0)), state: {} };

  it("over 10,000 batches of evaluateModel", () => {
    expect(growth(() => evaluateModel(model, values, many, { loss: mse }), false)).toBeLessThan(limit);
  });

  it("over 10,000 calls of predict (each returns a new tensor: nothing of them stays behind)", () => {
    expect(growth(() => many.forEach((b) => predict(model, values, b.x)), true)).toBeLessThan(limit);
  });
});
