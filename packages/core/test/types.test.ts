// Shapes in the types. `npx tsc -p tsconfig.json` checks this file: an `@ts-expect-error` line
// that stops erroring fails the type-check, and each such call is also run to show that the same
// mistake is caught at run time when the shapes are only known then.
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Dim,
  type Expr,
  type Shape,
  ShapeError,
  add,
  broadcastTo,
  concat,
  exp,
  greater,
  input,
  logSoftmax,
  matmul,
  max,
  mean,
  mul,
  oneHot,
  relu,
  reshape,
  slice,
  softmax,
  sub,
  sum,
  transpose,
  where,
} from "../src/index.js";

const x = input("x", ["batch", 784]);
const w1 = input("w1", [784, 128]);
const b1 = input("b1", [128]);
const m34 = input("m34", [3, 4]);

describe("result shapes are inferred", () => {
  it("matmul keeps symbolic and literal dimensions", () => {
    expectTypeOf(matmul(x, w1)).toEqualTypeOf<Expr<["batch", 128], "f32">>();
    expectTypeOf(matmul(input("a", [2, 5, 3]), input("b", [3, 7]))).toEqualTypeOf<Expr<[2, 5, 7], "f32">>();
    expectTypeOf(matmul(input("a", [2, 5, 3]), input("b", [2, 3, 7]))).toEqualTypeOf<Expr<[2, 5, 7], "f32">>();
    expectTypeOf(matmul(input("a", [2, 5, 3]), input("b", [1, 3, 7]))).toEqualTypeOf<Expr<[2, 5, 7], "f32">>();
    expectTypeOf(matmul(input("v", [3]), input("b", [3, 7]))).toEqualTypeOf<Expr<[7], "f32">>();
    expectTypeOf(matmul(m34, input("v", [4]))).toEqualTypeOf<Expr<[3], "f32">>();
  });

  it("elementwise ops broadcast", () => {
    expectTypeOf(relu(add(matmul(x, w1), b1))).toEqualTypeOf<Expr<["batch", 128], "f32">>();
    expectTypeOf(broadcastTo(b1, ["batch", 128])).toEqualTypeOf<Expr<["batch", 128], "f32">>();
    expectTypeOf(mul(x, 2)).toEqualTypeOf<Expr<["batch", 784], "f32">>();
    expectTypeOf(sub(1, m34)).toEqualTypeOf<Expr<[3, 4], "f32">>();
    expectTypeOf(add(input("p", [3, 1]), input("q", [1, 4]))).toEqualTypeOf<Expr<[3, 4], "f32">>();
    expectTypeOf(add(input("p", [2, 3, 1]), input("q", [4]))).toEqualTypeOf<Expr<[2, 3, 4], "f32">>();
    expectTypeOf(add(m34, input("s", []))).toEqualTypeOf<Expr<[3, 4], "f32">>();
    expectTypeOf(greater(m34, 0)).toEqualTypeOf<Expr<[3, 4], "bool">>();
    expectTypeOf(where(greater(m34, 0), m34, 0)).toEqualTypeOf<Expr<[3, 4], "f32">>();
    expectTypeOf(where(greater(input("c", [3, 1]), 0), input("a", [1, 4]), input("b", [4]))).toEqualTypeOf<Expr<[3, 4], "f32">>();
    expectTypeOf(where(greater(input("c", [3, 4]), 0), input("s", [], "f64"), input("t", [], "f64"))).toEqualTypeOf<Expr<[3, 4], "f64">>();
    expectTypeOf(exp(input("z", ["n", 3], "f64"))).toEqualTypeOf<Expr<["n", 3], "f64">>();
    expectTypeOf(oneHot(input("y", ["batch"], "i32"), 10)).toEqualTypeOf<Expr<["batch", 10], "f32">>();
  });

  it("reductions drop or keep axes", () => {
    expectTypeOf(sum(m34, 1)).toEqualTypeOf<Expr<[3], "f32">>();
    expectTypeOf(sum(m34, -1, true)).toEqualTypeOf<Expr<[3, 1], "f32">>();
    expectTypeOf(mean(m34)).toEqualTypeOf<Expr<[], "f32">>();
    expectTypeOf(max(x, 0)).toEqualTypeOf<Expr<[784], "f32">>();
    expectTypeOf(sum(input("t", [2, 3, 4]), [0, 2])).toEqualTypeOf<Expr<[3], "f32">>();
  });

  it("reshape, transpose, concat and slice compute their shapes", () => {
    expectTypeOf(reshape(input("img", ["batch", 28, 28]), ["batch", 784])).toEqualTypeOf<Expr<["batch", 784], "f32">>();
    expectTypeOf(transpose(m34)).toEqualTypeOf<Expr<[4, 3], "f32">>();
    expectTypeOf(transpose(input("t", [2, 3, 4]), [2, 0, 1])).toEqualTypeOf<Expr<[4, 2, 3], "f32">>();
    expectTypeOf(transpose(input("t", [2, 3, 4]), [-1, 0, 1])).toEqualTypeOf<Expr<[4, 2, 3], "f32">>();
    expectTypeOf(concat([m34, input("n", [5, 4])], 0)).toEqualTypeOf<Expr<[8, 4], "f32">>();
    expectTypeOf(concat([m34, m34, input("n", [3, 996])], -1)).toEqualTypeOf<Expr<[3, 1004], "f32">>();
    expectTypeOf(concat([x, x], 1)).toEqualTypeOf<Expr<["batch", 1568], "f32">>();
    expectTypeOf(slice(m34, 1, 1, 3)).toEqualTypeOf<Expr<[3, 2], "f32">>();
    expectTypeOf(slice(x, 1, -84)).toEqualTypeOf<Expr<["batch", 84], "f32">>();
    expectTypeOf(slice(x, -1, 100, -100)).toEqualTypeOf<Expr<["batch", 584], "f32">>();
    expectTypeOf(slice(input("d", [3, 4] as number[]), 0, 0, 2)).toEqualTypeOf<Expr<Dim[], "f32">>();
  });

  it("shapes built at run time are dynamic and checked then", () => {
    const n = Number("4");
    const dyn = input("dyn", [3, n]);
    expectTypeOf(dyn).toEqualTypeOf<Expr<[3, number], "f32">>();
    expectTypeOf(add(m34, dyn)).toEqualTypeOf<Expr<[3, 4], "f32">>();
    const any: Expr<Shape, "f32"> = input("any", [3, 4]);
    expectTypeOf(add(m34, any)).toEqualTypeOf<Expr<Dim[], "f32">>();
    const bad: Expr<Shape, "f32"> = input("bad", [5, 4]);
    expect(() => add(m34, bad)).toThrow(ShapeError);
    const wide: Expr<number[], "f32"> = input("wide", [4, 5]);
    expect(matmul(m34, wide).shape).toEqual([3, 5]);
    expect(() => matmul(wide, m34)).toThrow(/matmul: expected inner dimensions to match/);
    expect(() => reshape(bad, [3, n])).toThrow(/reshape: expected a shape with as many elements as \[5,4\]/);
    expect(() => concat([m34, dyn, bad], 1)).toThrow(/concat: expected shapes equal off axis 1/);
  });
});

describe("literal shape mismatches are compile-time errors (and run-time ones)", () => {
  const w748 = input("w748", [748, 128]);
  const m54 = input("m54", [5, 4]);

  it("matmul inner dimensions", () => {
    // @ts-expect-error Type '748' is not assignable to type '784'
    expect(() => matmul(x, w748)).toThrow(/matmul: expected inner dimensions to match/);
    // @ts-expect-error a batch of matrices with mismatched inner dimensions
    expect(() => matmul(input("a", [2, 5, 3]), input("b", [2, 4, 7]))).toThrow(ShapeError);
    // @ts-expect-error a vector times a matrix of the wrong height
    expect(() => matmul(input("v", [5]), m34)).toThrow(ShapeError);
    // @ts-expect-error batch dimensions that do not broadcast
    expect(() => matmul(input("a", [2, 5, 3]), input("b", [4, 3, 7]))).toThrow(ShapeError);
  });

  it("elementwise broadcasting", () => {
    // @ts-expect-error cannot broadcast [3,4] with [5,4]
    expect(() => add(m34, m54)).toThrow(/add: expected shapes that broadcast/);
    // @ts-expect-error a bias of the wrong length
    expect(() => add(matmul(x, w1), input("b", [10]))).toThrow(ShapeError);
    // @ts-expect-error symbolic names differ
    expect(() => mul(input("p", ["batch", 3]), input("q", ["time", 3]))).toThrow(ShapeError);
    // @ts-expect-error [3,4] does not broadcast to [5,4]
    expect(() => broadcastTo(m34, [5, 4])).toThrow(ShapeError);
    // @ts-expect-error broadcasting cannot drop axes
    expect(() => broadcastTo(m34, [4])).toThrow(ShapeError);
    // @ts-expect-error a condition of another shape
    expect(() => where(greater(m34, 0), m54, 0)).toThrow(ShapeError);
    // @ts-expect-error branches that do not broadcast
    expect(() => where(greater(m34, 0), m34, input("c", [3, 5]))).toThrow(ShapeError);
    // @ts-expect-error a higher-rank operand that clashes
    expect(() => sub(input("p", [2, 3, 4]), input("q", [5, 4]))).toThrow(ShapeError);
  });

  it("reshape element count", () => {
    // @ts-expect-error 12 elements into 15
    expect(() => reshape(m34, [5, 3])).toThrow(/reshape: expected a shape with as many elements/);
    // @ts-expect-error 784·batch elements into 785·batch
    expect(() => reshape(x, ["batch", 785])).toThrow(ShapeError);
    // @ts-expect-error a name that is not in the input
    expect(() => reshape(x, ["time", 784])).toThrow(ShapeError);
    // @ts-expect-error 28·28·3 is not 784
    expect(() => reshape(input("img", ["batch", 28, 28, 3]), ["batch", 784])).toThrow(ShapeError);
  });

  it("concat off-axis dimensions and axis", () => {
    // @ts-expect-error [3,4] and [3,5] differ off axis 0
    expect(() => concat([m34, input("n", [3, 5])], 0)).toThrow(/concat: expected shapes equal off axis 0/);
    // @ts-expect-error ranks differ
    expect(() => concat([m34, input("n", [4])])).toThrow(ShapeError);
    // @ts-expect-error axis 2 of a matrix
    expect(() => concat([m34, m34], 2)).toThrow(ShapeError);
    // @ts-expect-error a symbolic dimension on the joined axis
    expect(() => concat([x, x], 0)).toThrow(/concat: expected numeric dimensions on the concatenated axis/);
  });

  it("reduction, transposition and slice axes out of range", () => {
    // @ts-expect-error axis 2 of a matrix
    expect(() => sum(m34, 2)).toThrow(/sum: expected an axis in \[-2, 1\], got 2/);
    // @ts-expect-error axis -3 of a matrix
    expect(() => max(m34, -3)).toThrow(ShapeError);
    // @ts-expect-error one axis in the list is out of range
    expect(() => mean(m34, [0, 2])).toThrow(ShapeError);
    // @ts-expect-error softmax over axis 2 of a matrix
    expect(() => softmax(m34, 2)).toThrow(ShapeError);
    // @ts-expect-error too few axes
    expect(() => transpose(input("t", [2, 3, 4]), [1, 0])).toThrow(/transpose: expected a permutation/);
    // @ts-expect-error a repeated axis
    expect(() => transpose(m34, [0, 0])).toThrow(ShapeError);
    // @ts-expect-error axis 2 of a matrix
    expect(() => transpose(m34, [0, 2])).toThrow(ShapeError);
    // @ts-expect-error axis 2 of a matrix
    expect(() => slice(m34, 2, 0, 1)).toThrow(ShapeError);
    // @ts-expect-error end 5 beyond the dimension 4
    expect(() => slice(m34, 1, 0, 5)).toThrow(/slice: expected integer bounds in \[-4, 4\] with start ≤ end on axis 1 of length 4, got start 0, end 5/);
    // @ts-expect-error a symbolic dimension on the sliced axis
    expect(() => slice(x, 0, 0, 2)).toThrow(/slice: expected a numeric dimension on the sliced axis/);
    // @ts-expect-error a negative start beyond the dimension
    expect(() => slice(m34, 1, -5)).toThrow(ShapeError);
    // @ts-expect-error start after end
    expect(() => slice(m34, 0, 2, 1)).toThrow(ShapeError);
  });
});

describe("shape-generic functions type-check without casts", () => {
  /** A two-layer perceptron for any batch dimension: literal, symbolic or generic. */
  function mlp<B extends Dim>(input: Expr<[B, 784]>): Expr<[B, 10]> {
    const w2 = constantLike("w2", [128, 10]);
    const b2 = constantLike("b2", [10]);
    const hidden = relu(add(matmul(input, w1), b1));
    return add(matmul(hidden, w2), b2);
  }
  const constantLike = <const S extends Shape>(name: string, shape: S) => input(name, shape);

  it("passes the batch dimension through", () => {
    expectTypeOf(mlp(x)).toEqualTypeOf<Expr<["batch", 10]>>();
    expectTypeOf(mlp(input("z", [32, 784]))).toEqualTypeOf<Expr<[32, 10]>>();
    expect(mlp(input("z", [32, 784])).shape).toEqual([32, 10]);
    // @ts-expect-error Type '785' is not assignable to type '784'
    expect(() => mlp(input("z", [32, 785]))).toThrow(ShapeError);
  });

  it("composes layers generic in every dimension, and rejects a mismatched composition", () => {
    const linear =
      <I extends Dim, O extends Dim>(w: Expr<[I, O]>, b: Expr<[O]>) =>
      <B extends Dim>(v: Expr<[B, I]>): Expr<[B, O]> =>
        add(matmul(v, w), b);
    const l1 = linear(input("w1", [784, 128]), input("b1", [128]));
    const l2 = linear(input("w2", [128, 10]), input("b2", [10]));
    expectTypeOf(l2(relu(l1(x)))).toEqualTypeOf<Expr<["batch", 10]>>();
    const l3 = linear(input("w3", [100, 10]), input("b3", [10]));
    // @ts-expect-error Type '128' is not assignable to type '100'
    expect(() => l3(l1(x))).toThrow(/matmul: expected inner dimensions to match/);
  });

  it("resolves reductions with kept axes and their broadcast back", () => {
    function standardize<B extends Dim, N extends Dim>(v: Expr<[B, N]>): Expr<[B, N]> {
      const centred = sub(v, mean(v, 1, true));
      return mul(centred, exp(sub(v, max(v, -1, true))));
    }
    expectTypeOf(standardize(m34)).toEqualTypeOf<Expr<[3, 4]>>();
    function probs<B extends Dim>(logits: Expr<[B, 10], "f32">): Expr<[B, 10], "f32"> {
      return add(softmax(logits), mul(logSoftmax(logits), 0));
    }
    expectTypeOf(probs(input("l", ["batch", 10]))).toEqualTypeOf<Expr<["batch", 10], "f32">>();
  });

  it("reshapes and reduces around a generic batch", () => {
    function flatten<B extends Dim>(images: Expr<[B, 28, 28]>): Expr<[B, 784]> {
      return reshape(images, [images.shape[0], 784]);
    }
    expectTypeOf(flatten(input("img", [32, 28, 28]))).toEqualTypeOf<Expr<[32, 784]>>();
    function rowSums<B extends Dim>(v: Expr<[B, 3, 4]>): Expr<[B, 3]> {
      return sum(transpose(v, [0, 2, 1]), 1);
    }
    expectTypeOf(rowSums(input("t", ["n", 3, 4]))).toEqualTypeOf<Expr<["n", 3]>>();
    function pairUp<B extends Dim>(v: Expr<[B, 4]>): Expr<[B, 8]> {
      return concat([v, v], -1);
    }
    expectTypeOf(pairUp(input("t", [5, 4]))).toEqualTypeOf<Expr<[5, 8]>>();
    expect(pairUp(input("t", [5, 4])).shape).toEqual([5, 8]);
  });

  it("broadcasts a row against a generic batch", () => {
    function shift<B extends Dim>(v: Expr<[B, 4]>, row: Expr<[1, 4]>): Expr<[B, 4]> {
      return add(v, row);
    }
    expectTypeOf(shift(m34, input("r", [1, 4]))).toEqualTypeOf<Expr<[3, 4]>>();
  });
});
