// Type-level checks: these lines are compiled by `tsc -p tsconfig.json`; an @ts-expect-error that
// no longer fails is itself an error. The runtime checks below catch the same mistakes when the
// shapes are only known at run time.
import { pipe } from "fp-ts/lib/function.js";
import { describe, expect, it } from "vitest";
import { type Layer, type Same, type Sequential, andThen, dense, dropout, named, relu, residual, sequential, sigmoid } from "../src/index.js";

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

  it("composes with fp-ts pipe", () => {
    const model: Sequential<[3], [1]> = pipe(dense(3, 5), andThen(relu()), andThen(dense(5, 1)));
    // @ts-expect-error: 5 features do not fit a layer expecting 6
    pipe(dense(3, 5), andThen(relu()), andThen(dense(6, 1)));
    expect(model.layers.length).toBe(3);
  });
});
