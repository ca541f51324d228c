// Type-level checks: these lines are compiled by `tsc -p tsconfig.json`; an @ts-expect-error that
// no longer fails is itself an error. The runtime checks below catch the same mistakes when the
// shapes are only known at run time.
import { flow, pipe } from "fp-ts/lib/function.js";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type Expr, type Tensor, cast, input, key, zeros } from "@typegrad/core";
import { type Layer, type Same, type Sequential, adam, andThen, batchNorm, mse, trainStep, bind, constants, mapTree, subtree, dense, dropout, named, relu, residual, sequential, sigmoid } from "../src/index.js";

describe("sequential checks shapes in the types", () => {
  it("accepts chains whose features match, through shape-preserving layers", () => {
    const model: Layer<[784], [10]> = sequential(dense(784, 128), relu(), dropout(0.2), dense(128, 10));
    const act: Layer<Same, Same> = sequential(relu(), sigmoid());
    const deep: Layer<[4], [4]> = sequential(sequential(dense(4, 8), relu()), dense(8, 4), residual(dense(4, 4)));
    expect([model, act, deep].every((m) => typeof m.apply === "function")).toBe(true);
  });

  it("rejects a mismatch at compile time and at run time", () => {
    // @ts-expect-error: 128 features do not fit a layer expecting 64
    const bad = sequential(dense(784, 128), dense(64, 10));
    // @ts-expect-error: the mismatch is seen through activations too
    sequential(dense(784, 128), relu(), dropout(0.5), dense(64, 10));
    // @ts-expect-error: a residual block must keep its features (or take a projection)
    residual(dense(4, 8));
    expect(residual(dense(4, 8), named("shortcut", dense(4, 8))).name).toBeUndefined();
    expect(() => bad.init).not.toThrow();
  });

  it("types apply's output from its input, and rejects the wrong features", () => {
    const model = sequential(dense(784, 128), relu(), dense(128, 10));
    const p = constants(model.init(key(0)));
    const ctx = { mode: "eval" } as const;
    const logits: Expr<["batch", 10]> = model.apply(p, input("x", ["batch", 784]), ctx);
    const one: Expr<[10], "f64"> = model.apply(mapTree(p, (e) => cast(e, "f64")), input("v", [784], "f64"), ctx);
    const same: Expr<[3, 4]> = relu().apply({}, input("h", [3, 4]), ctx);
    // @ts-expect-error: 748 features where the model expects 784
    expect(() => model.apply(p, input("x", ["batch", 748]), ctx)).toThrow(/dense: expected an input with 784 features/);
    expect([logits.shape, one.shape, same.shape]).toEqual([["batch", 10], [10], [3, 4]]);
  });

  it("composes with fp-ts pipe", () => {
    const model: Sequential<[3], [1]> = pipe(dense(3, 5), andThen(relu()), andThen(dense(5, 1)));
    // @ts-expect-error: 5 features do not fit a layer expecting 6
    pipe(dense(3, 5), andThen(relu()), andThen(dense(6, 1)));
    expect(model.layers.length).toBe(3);
    // Bound to parameters, layers are functions of expressions for flow.
    const p = constants(model.init(key(0)));
    const f = flow(bind(dense(3, 5), subtree(p, "0"), { mode: "eval" }), (h) => model.layers[1]?.apply({}, h, { mode: "eval" }) ?? h);
    expect(f(input("x", [2, 3])).shape).toEqual([2, 5]);
  });
});

describe("parameter trees are typed from the layers", () => {
  it("dense, sequential, named and residual compose PyTorch's keys", () => {
    expectTypeOf(dense(4, 8).init(key(0))).toEqualTypeOf<{ weight: Tensor<[8, 4]>; bias: Tensor<[8]> }>();
    expectTypeOf(dense(4, 8, { bias: false, layout: "in-out" }).init(key(0))).toEqualTypeOf<{ weight: Tensor<[4, 8]> }>();
    const model = sequential(dense(784, 128), relu(), dense(128, 10));
    expectTypeOf(model.init(key(0))).toEqualTypeOf<{ "0": { weight: Tensor<[128, 784]>; bias: Tensor<[128]> }; "2": { weight: Tensor<[10, 128]>; bias: Tensor<[10]> } }>();
    const block = residual(sequential(named("fc1", dense(8, 16)), relu(), named("fc2", dense(16, 8))));
    expectTypeOf(block.init(key(0)).fc2.bias).toEqualTypeOf<Tensor<[8]>>();
    const projected = residual(dense(4, 8), named("shortcut", dense(4, 8)));
    expectTypeOf(projected.init(key(0)).shortcut.weight).toEqualTypeOf<Tensor<[8, 4]>>();
    const bn = sequential(dense(4, 8), batchNorm(8));
    expectTypeOf(bn.initState()["1"].running_var).toEqualTypeOf<Tensor<[8]>>();
    expect(Object.keys(model.init(key(0)))).toEqual(["0", "2"]);
  });

  it("optimiser states and training states carry the trees", () => {
    const model = sequential(dense(4, 8), relu(), dense(8, 1));
    const trainer = trainStep(model, mse, adam({ lr: 0.01 }));
    const ts = trainer.init(model.init(key(0)));
    expectTypeOf(ts.opt.exp_avg["0"].weight).toEqualTypeOf<Tensor<[8, 4]>>();
    expectTypeOf(ts.params["2"].bias).toEqualTypeOf<Tensor<[1]>>();
    const other = sequential(dense(4, 16), relu(), dense(16, 1));
    // @ts-expect-error: parameters of another model
    expect(() => trainer.init(other.init(key(0)))).not.toThrow();
    // @ts-expect-error: x has 3 features where the model expects 4
    expect(() => trainer.step(ts, { x: zeros([2, 3]), y: zeros([2, 1]) })).toThrow(/dense: expected an input with 4 features/);
  });
});
