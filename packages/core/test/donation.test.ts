import { describe, expect, it } from "vitest";
import { add, compile, input, mul, sum, take, tensor } from "../src/index.js";

describe("a run that fails", () => {
  for (const backend of ["wasm", "js"] as const)
    it(`leaves every donated input as it was (${backend})`, () => {
      // The counter's kernel needs nothing from the gather, so it may be scheduled first; it must
      // still not write its input before the gather has checked its indices.
      const count = input("count", [], "i32");
      const w = input("w", [3], "f32");
      const ids = input("ids", [2], "i32");
      const next = add(count, 1);
      const picked = take(w, ids);
      const program = compile(
        { count, w, ids },
        { count: next, w: add(w, mul(sum(picked), 0.5)), loss: sum(picked) },
        { backend, donate: { count: "count", w: "w" } },
      );
      program.set("count", tensor(7, { dtype: "i32" })).set("w", tensor([1, 2, 3]));
      program.set("ids", tensor([0, 2], { dtype: "i32" })).execute();
      expect(Array.from(program.view("w"))).toEqual([3, 4, 5]);
      expect(program.view("count")[0]).toBe(8);
      program.set("ids", Int32Array.of(1, 3));
      expect(() => program.execute()).toThrow(/take: expected indices in \[0, 3\)/);
      expect(program.view("count")[0]).toBe(8);
      expect(Array.from(program.view("w"))).toEqual([3, 4, 5]);
    });
});
