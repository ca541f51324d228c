import { describe, expect, expectTypeOf, it } from "vitest";
import { Tensor, arange, eye, full, linspace, ones, tensor, zeros } from "../src/index.js";

describe("tensor", () => {
  it("infers shape and dtype from nested literals", () => {
    const t = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectTypeOf(t).toEqualTypeOf<Tensor<[2, 3], "f32">>();
    expect(t.shape).toEqual([2, 3]);
    expect(t.dtype).toBe("f32");
    expect(t.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(tensor(5).item()).toBe(5);
    expect(tensor(5).shape).toEqual([]);
  });

  it("takes flat data with a shape, keeping the array's dtype", () => {
    const t = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), { shape: [3, 2] });
    expectTypeOf(t).toEqualTypeOf<Tensor<readonly [3, 2], "f64">>();
    expect(t.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(tensor([1, 2, 3], { dtype: "i32" }).data).toBeInstanceOf(Int32Array);
  });

  it("rejects ragged arrays and wrong sizes with the op named", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: expected length 2/);
    expect(() => tensor(new Float32Array(5), { shape: [2, 3] })).toThrow(/tensor: expected 6 elements for shape \[2,3\], got 5/);
  });

  it("creates common tensors", () => {
    expect(zeros([2, 2]).toFlat()).toEqual([0, 0, 0, 0]);
    expect(ones([3], "i32").toFlat()).toEqual([1, 1, 1]);
    expect(full([2], 7, "f64").toFlat()).toEqual([7, 7]);
    // Stored as the dtype holds it: a nonzero bool is 1 (a Uint8Array would wrap −2 to 254).
    expect(full([2], -2, "bool").toFlat()).toEqual([1, 1]);
    expect(arange(4).toFlat()).toEqual([0, 1, 2, 3]);
    expect(arange(1, 2, 0.25, "f64").toFlat()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(linspace(0, 3, 4, "f64").toFlat()).toEqual([0, 1, 2, 3]);
    expect(eye(2, 3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  it("reports item() on a non-scalar clearly", () => {
    expect(() => zeros([2]).item()).toThrow(/item: expected a tensor with one element, got \[2\]/);
  });
});
