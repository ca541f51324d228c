// What crosses postMessage: snapshots and progress events survive a structured clone with their
// buffers transferred, and come back as the same trees.
import { key, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { type TrainEvent, adam, dense, fit, flatten, mse, packState, packTree, postProgress, predict, sequential, sigmoid, trainStep, unpackState, unpackTree, unpackValues } from "../src/index.js";

const model = sequential(dense(1, 4), sigmoid(), dense(4, 1));
const x = tensor([0, 0.5, 1, 1.5], { shape: [4, 1] });
const y = tensor([1, 2, 3, 4], { shape: [4, 1] });

/** postMessage's copy: a structured clone that moves the listed buffers. */
const post = <T>(message: T, transfer: ArrayBuffer[]): T => structuredClone(message, { transfer });

describe("transfer", () => {
  it("moves a parameter tree through a structured clone and rebuilds it", () => {
    const params = model.init(key(0));
    const { message, transfer } = packTree(params);
    expect(transfer).toHaveLength(4);
    const received = post(message, transfer);
    expect(transfer.every((b) => b.byteLength === 0)).toBe(true); // moved, not copied
    const back = unpackTree(received);
    expect(Object.keys(flatten(back))).toEqual(Object.keys(flatten(params)));
    for (const [path, t] of Object.entries(flatten(params))) {
      const u = flatten(back)[path];
      expect(u?.shape).toEqual(t.shape);
      expect(Array.from(u?.data ?? [])).toEqual(Array.from(t.data)); // the sender's copy is intact
    }
  });

  it("resumes a training state on the other side with the same results", () => {
    const trainer = trainStep(model, mse, adam({ lr: 0.05 }));
    const session = trainer.session(trainer.init(model.init(key(1))));
    for (let i = 0; i < 5; i++) session.step({ x, y });
    const ts = session.snapshot();
    const { message, transfer } = packState(ts);
    const there = unpackState(post(message, transfer));
    expect(there.step).toBe(5);
    expect(Array.from(there.key.data)).toEqual(Array.from(ts.key.data));
    // The next step from the copy equals the next step here.
    expect(trainer.step(there, { x, y }).loss).toBe(trainer.step(ts, { x, y }).loss);
    expect(Array.from(predict(model, unpackValues(post(packState(ts).message, [])), x).data)).toEqual(Array.from(predict(model, ts, x).data));
  });

  it("rejects a path that is both a leaf and a subtree", () => {
    const leaf = { shape: [1], dtype: "f32" as const, data: new Float32Array(1) };
    expect(() => unpackTree({ a: leaf, "a.b": leaf })).toThrow(/unpackTree: expected a subtree at "a"/);
  });

  it("posts every epoch and throttled batch progress as cloneable events", () => {
    const events: TrainEvent[] = [];
    const callback = postProgress((e) => events.push(structuredClone(e)), { everyMs: 60_000 });
    fit({ model, loss: mse, optimizer: adam(), params: model.init(key(2)), data: () => [{ x, y }, { x, y }], epochs: 3, progress: false, callbacks: [callback] });
    expect(events.map((e) => e.kind)).toEqual(["batch", "epoch", "epoch", "epoch"]);
    const last = events[3];
    expect(last?.kind === "epoch" && last.log.epoch).toBe(3);
  });
});
