import { type Batch, type Tensor, key, permutation, split, tensor } from "@typegrad/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type DataSplit, type ImagesFlat, batches, meanStd, normalize, numBatches, oneHot, scale } from "../src/index.js";

/** n samples of `f` features where sample i holds i·1000 + feature index, label i mod 10. */
function dataset(n: number, f: number): { x: Tensor<[number, number], "f32">; y: Tensor<[number], "i32"> } {
  const x = new Float32Array(n * f);
  for (let i = 0; i < n; i++) for (let k = 0; k < f; k++) x[i * f + k] = i * 1000 + k;
  const y = Int32Array.from({ length: n }, (_, i) => i % 10);
  return { x: tensor(x, { shape: [n, f] }), y: tensor(y, { shape: [n] }) };
}

/** The sample indices a batch holds, read back from its first feature. */
const ids = (b: Batch): number[] => {
  const rows = b.y.data.length;
  const f = b.x.data.length / rows;
  return Array.from({ length: rows }, (_, r) => (b.x.data[r * f] ?? NaN) / 1000);
};

describe("batches", () => {
  it("types batches as [\"batch\", ...features] with concrete runtime shapes", () => {
    const images = tensor(new Float32Array(5 * 784), { shape: [5, 784] as const });
    const labels = tensor(new Int32Array(5), { shape: [5] });
    const first = batches(images, labels, { batchSize: 2 }).next();
    if (first.done) throw new Error("no batch");
    expectTypeOf(first.value.x).toEqualTypeOf<Tensor<["batch", 784], "f32">>();
    expectTypeOf(first.value.y).toEqualTypeOf<Tensor<["batch"], "i32">>();
    expect(first.value.x.shape).toEqual([2, 784]);
    expect(first.value.y.shape).toEqual([2]);
    const img2d = tensor(new Float32Array(3 * 28 * 28), { shape: [3, 28, 28] as const });
    const b2 = [...batches(img2d, tensor(new Int32Array(3), { shape: [3] }), { batchSize: 2, oneHot: 10 })];
    expectTypeOf(b2[0]!.x).toEqualTypeOf<Tensor<["batch", 28, 28], "f32">>();
    expectTypeOf(b2[0]!.yOneHot).toEqualTypeOf<Tensor<["batch", 10], "f32">>();
    expect(b2.map((b) => b.x.shape)).toEqual([
      [2, 28, 28],
      [1, 28, 28],
    ]);
  });

  it("keeps, drops or pads the last batch", () => {
    const { x, y } = dataset(10, 3);
    const keep = [...batches(x, y, { batchSize: 4 })];
    expect(keep.map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(keep.map((b) => b.size)).toEqual([4, 4, 2]);
    const drop = [...batches(x, y, { batchSize: 4, lastBatch: "drop" })];
    expect(drop.map(ids)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
    const pad = [...batches(x, y, { batchSize: 4, lastBatch: "pad" })].map((b) => ({ ids: ids(b), size: b.size, y: Array.from(b.y.data) }));
    expect(pad[2]).toEqual({ ids: [8, 9, 0, 1], size: 2, y: [8, 9, 0, 1] });
    expect([numBatches(10, 4), numBatches(10, 4, "drop"), numBatches(10, 4, "pad"), numBatches(8, 4, "drop")]).toEqual([3, 2, 3, 2]);
  });

  it("shuffles with permutation(key, n): every sample once per epoch, labels kept with their images", () => {
    const { x, y } = dataset(1000, 5);
    const k = key(7);
    const seen = [...batches(x, y, { batchSize: 64, key: k, reuse: false })].flatMap((b) => {
      const got = ids(b);
      expect(Array.from(b.y.data)).toEqual(got.map((i) => i % 10));
      expect(Array.from(b.x.data.subarray(0, 5))).toEqual([0, 1, 2, 3, 4].map((f) => (got[0] ?? 0) * 1000 + f));
      return got;
    });
    expect(seen).toEqual(Array.from(permutation(k, 1000)));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    // Another key, another order; the same key, the same order.
    const [k1, k2] = split(key(7), 2);
    const order = (kk: typeof k1) => [...batches(x, y, { batchSize: 1000, key: kk! })].flatMap(ids);
    expect(order(k1)).not.toEqual(order(k2));
    expect(order(k1)).toEqual(order(k1));
  });

  it("reuses one buffer (overwritten by the next batch) unless reuse is false", () => {
    const { x, y } = dataset(12, 2);
    const it1 = batches(x, y, { batchSize: 4, key: key(1) });
    const a = it1.next();
    const b = it1.next();
    if (a.done || b.done) throw new Error("short");
    expect(a.value.x.data.buffer).toBe(b.value.x.data.buffer);
    expect(Array.from(a.value.x.data)).toEqual(Array.from(b.value.x.data)); // a was overwritten
    const fresh = [...batches(x, y, { batchSize: 4, key: key(1), reuse: false })];
    expect(fresh[0]!.x.data.buffer).not.toBe(fresh[1]!.x.data.buffer);
    // Unshuffled batches are views of the dataset: no copy at all.
    const view = batches(x, y, { batchSize: 4 }).next();
    if (view.done) throw new Error("short");
    expect(view.value.x.data.buffer).toBe(x.data.buffer);
  });

  it("normalises while copying and adds one-hot labels", () => {
    const { x, y } = dataset(6, 2);
    const [b] = [...batches(x, y, { batchSize: 6, normalize: { mean: 1000, std: 2 }, oneHot: 10 })];
    expect(Array.from(b!.x.data.subarray(0, 4))).toEqual([-500, -499.5, 0, 0.5]);
    expect(b!.yOneHot.shape).toEqual([6, 10]);
    expect(Array.from(b!.yOneHot.data.subarray(10, 20))).toEqual([0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(x.data[0]).toBe(0); // the dataset itself is untouched
  });

  it("rejects bad arguments with named errors", () => {
    const { x, y } = dataset(4, 2);
    expect(() => batches(x, y, { batchSize: 0 }).next()).toThrow("batches: expected a positive integer batchSize, got 0");
    expect(() => batches(x, tensor(new Int32Array(3), { shape: [3] }), { batchSize: 2 }).next()).toThrow("batches: expected targets with 4 rows, as x [4,2], got [3]");
    const asArray: unknown = [[0, 1], [2, 3], [4, 5], [6, 7]];
    expect(() => batches(asArray as typeof x, y, { batchSize: 2 }).next()).toThrow("batches: expected x to be a Tensor, got an array of 4. make one with tensor(values)");
    const floats = tensor([0.5, 1, 2, 3], { shape: [4] }) as unknown as typeof y; // as plain JavaScript would pass it
    expect(() => batches(x, floats, { batchSize: 2, oneHot: 10 }).next()).toThrow("batches: expected integer labels of shape [N] for oneHot, got f32[4]");
    expect(() => [...batches(x, tensor(Int32Array.of(0, 1, 2, 11), { shape: [4] }), { batchSize: 4, oneHot: 10 })]).toThrow("oneHot: expected labels in 0..9, got 11 at index 3");
  });
});

describe("batches of float targets", () => {
  const { x } = dataset(5, 2);
  const targets = Float32Array.of(0.25, 0.5, 1.7, -3.125, 9.75);
  const cases: [string, Tensor<readonly [number, ...number[]], "f32">][] = [
    ["f32 [N]", tensor(targets, { shape: [5] })],
    ["f32 [N, 1]", tensor(targets, { shape: [5, 1] })],
  ];

  it.each(cases)("keeps %s targets' values, dtype and shape, shuffled, normalised or not", (_, y) => {
    const options = [{}, { key: key(3) }, { normalize: { mean: 1, std: 2 } }, { key: key(4), reuse: false, lastBatch: "pad" as const }];
    for (const extra of options) {
      const got = [...batches(x, y, { batchSize: 2, ...extra })];
      for (const b of got) {
        expect(b.y.dtype).toBe("f32");
        expect(b.y.data).toBeInstanceOf(Float32Array);
        expect(b.y.shape).toEqual([b.x.shape[0], ...y.shape.slice(1)]);
        // Each target still sits with its own sample: sample i has first feature i·1000.
        const f = 2; // features per sample
        const normalized = "normalize" in extra;
        b.y.data.forEach((t, r) => {
          const first = b.x.data[r * f] as number;
          const i = Math.round(normalized ? first * 2 + 1 : first) / 1000;
          expect(t).toBe(targets[i]);
        });
      }
    }
  });

  it("types the batch's targets from the dataset's", () => {
    const [b] = [...batches(x, tensor(targets, { shape: [5, 1] }), { batchSize: 5 })];
    expectTypeOf(b!.y).toEqualTypeOf<Tensor<["batch", 1], "f32">>();
  });
});

describe("normalisation and one-hot", () => {
  it("oneHot keeps the label dimension's type", () => {
    const t = oneHot(tensor([2, 0, 1], { dtype: "i32" }), 3);
    expectTypeOf(t).toEqualTypeOf<Tensor<[3, 3], "f32">>();
    expect(t.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("meanStd, normalize and scale", () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    const s = meanStd(x);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(1.25), 12);
    const n = normalize(x, s);
    expect(meanStd(n).mean).toBeCloseTo(0, 6);
    expect(meanStd(n).std).toBeCloseTo(1, 6);
    expect(n.shape).toEqual([2, 2]);
    expect(scale(x, 0.5).toArray()).toEqual([
      [0.5, 1],
      [1.5, 2],
    ]);
    expect(() => normalize(x, { mean: 0, std: 0 })).toThrow("normalize: expected a positive std");
  });
});

describe("batches of loaded datasets", () => {
  it("flattened MNIST-shaped splits give [\"batch\", 784] batches", () => {
    const split: DataSplit<ImagesFlat> = {
      images: tensor(new Float32Array(3 * 784), { shape: [3, 784] }),
      labels: tensor(Int32Array.of(1, 2, 3), { shape: [3] }),
    };
    const [b] = [...batches(split.images, split.labels, { batchSize: 3, oneHot: 10 })];
    expectTypeOf(b!.x).toEqualTypeOf<Tensor<["batch", 784], "f32">>();
    expectTypeOf(b!.yOneHot).toEqualTypeOf<Tensor<["batch", 10], "f32">>();
    expect(b!.yOneHot.toArray()).toEqual([1, 2, 3].map((c) => Array.from({ length: 10 }, (_, i) => (i === c ? 1 : 0))));
  });
});
