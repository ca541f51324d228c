// The backend contract: `compile` takes any object implementing `Backend`, and a backend whose
// results arrive asynchronously (a device, worker threads) is served by `runAsync`/`executeAsync`.
import { describe, expect, it } from "vitest";
import { type Backend, ValueError, compile, input, mul, sum, tensor } from "../src/index.js";
import { jsBackend } from "../src/backends/js/backend.js";

/** The reference backend with its work deferred to `readback`, as a device backend would do. */
const deferred: Backend = {
  name: "deferred",
  lowering: jsBackend.lowering,
  prepare: (plan, layout) => {
    const make = jsBackend.prepare(plan, layout);
    return () => {
      const exe = make();
      let queued = 0;
      return {
        memory: exe.memory,
        execute: () => void queued++,
        readback: async () => {
          await Promise.resolve();
          for (; queued > 0; queued--) exe.execute();
        },
      };
    };
  },
};

describe("backend contract", () => {
  const x = input("x", [3], "f64");
  const y = sum(mul(x, x));

  it("takes a backend object and reads results back asynchronously", async () => {
    const f = compile({ x }, { y }, { backend: deferred });
    expect(f.backend.name).toBe("deferred");
    expect((await f.runAsync({ x: tensor([1, 2, 3], { dtype: "f64" }) })).y.item()).toBe(14);
    f.set("x", new Float64Array([1, 1, 1]));
    await f.executeAsync();
    expect(f.get("y").item()).toBe(3);
  });

  it("refuses the synchronous run on such a backend, naming the way out", () => {
    const f = compile({ x }, { y }, { backend: deferred });
    expect(() => f.run({ x: tensor([1, 2, 3], { dtype: "f64" }) })).toThrow(ValueError);
    expect(() => f.run({ x: tensor([1, 2, 3], { dtype: "f64" }) })).toThrow(/runAsync/);
  });

  it("runs the built-in backends through the same asynchronous door", async () => {
    for (const backend of ["js", "wasm"] as const) {
      const f = compile({ x }, { y }, { backend });
      expect((await f.runAsync({ x: tensor([1, 2, 3], { dtype: "f64" }) })).y.item()).toBe(14);
    }
  });

  it("caches compilations per backend object, not per name", () => {
    const twin: Backend = { ...deferred };
    const a = compile({ x }, { y }, { backend: deferred });
    const b = compile({ x }, { y }, { backend: twin });
    expect(b.backend).toBe(twin);
    expect(a.backend).toBe(deferred);
  });
});
