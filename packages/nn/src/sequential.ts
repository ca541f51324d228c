import { type Expr, type FloatDType, type Key, type Shape, type ShapeMismatchUnless, type ShowShape, ValueError, randomBits, reshape, slice, split } from "@typegrad/core";
import { type Ctx, type KeyExpr, type Layer, layer } from "./layer.js";
import type { ChainCheck, ChainIn, ChainOut, ChainTree, Fits, IsSame } from "./shapes.js";
import { type Params, type Vars, subtree } from "./tree.js";

/** A chain of layers; `layers` lists them (for `andThen`). */
export type Sequential<I extends Shape, O extends Shape, P extends Params = Params, B extends Params = Params> = Layer<I, O, P, B> & { readonly layers: readonly Layer[] };

/** Key of layer `i` of `n`, drawn inside the graph from the chain's key. */
function layerKey(key: KeyExpr, i: number, n: number): KeyExpr {
  return reshape(slice(randomBits(key, [n, 2]), 0, i, i + 1), [2]);
}

/**
 * Layers applied in order; parameters are keyed by position (or a layer's `name`) like PyTorch's
 * nn.Sequential, so state_dict keys read `0.weight`, `2.bias`, … Layers without parameters keep
 * their index but add no key. Each layer's input feature shape must match the previous output's,
 * which the compiler checks for literal shapes.
 * @example
 * const model = sequential(dense(784, 128), relu(), dense(128, 10));
 * // @ts-expect-error: 128 features do not fit a layer expecting 64
 * sequential(dense(784, 128), dense(64, 10));
 */
export function sequential<const Ls extends readonly Layer[]>(
  ...layers: ChainCheck<Ls> & Ls
): Sequential<ChainIn<Ls>, ChainOut<Ls>, ChainTree<Ls, "init">, ChainTree<Ls, "initState">> {
  const list: readonly Layer[] = layers;
  const names = list.map((l, i) => l.name ?? String(i));
  if (new Set(names).size !== names.length) throw new ValueError("sequential", "distinct layer names", names.join(", "));
  // The trees are built by position or name exactly as ChainTree describes them.
  const collect = <T extends Params>(make: (l: Layer, i: number) => Params): T => {
    const out: Record<string, Params> = {};
    list.forEach((l, i) => {
      const p = make(l, i);
      if (Object.keys(p).length) out[names[i] as string] = p;
    });
    return out as T;
  };
  const base = layer<ChainIn<Ls>, ChainOut<Ls>, ChainTree<Ls, "init">, ChainTree<Ls, "initState">>({
    init: (key: Key, dtype: FloatDType) => {
      const keys = split(key, list.length);
      return collect((l, i) => l.init(keys[i] as Key, dtype));
    },
    initState: (dtype: FloatDType) => collect((l) => l.initState(dtype)),
    call: (params: Vars, state: Vars, x: Expr, ctx: Ctx) => {
      let y = x;
      const next: Record<string, Vars> = {};
      list.forEach((l, i) => {
        const name = names[i] as string;
        const sub = ctx.key === undefined ? ctx : { ...ctx, key: layerKey(ctx.key, i, list.length) };
        const r = l.call(subtree(params, name), subtree(state, name), y, sub);
        y = r.y;
        if (Object.keys(r.state).length) next[name] = r.state;
      });
      return { y, state: next };
    },
  });
  return { ...base, layers: list };
}

/**
 * Appends a layer to a chain, curried for fp-ts `pipe`: the result is one flat `sequential`, so
 * parameter keys are the same as writing the chain out.
 * @example
 * const model = pipe(dense(784, 128), andThen(relu()), andThen(dense(128, 10)));
 */
export function andThen<I2 extends Shape, O2 extends Shape>(next: Layer<I2, O2>) {
  return <I extends Shape, O extends Shape>(prev: StepCheck<O, I2> & Layer<I, O>): Sequential<I, StepOut<O, I2, O2>> => {
    const layers: readonly Layer[] = "layers" in prev && prev.name === undefined ? (prev as Sequential<I, O>).layers : [prev];
    const s: Sequential<Shape, Shape> = sequential<readonly Layer[]>(...layers, next);
    return s as Sequential<I, StepOut<O, I2, O2>>;
  };
}

type StepOut<O extends Shape, I2 extends Shape, O2 extends Shape> = IsSame<I2> extends true ? O : O2;
type StepCheck<O extends Shape, I2 extends Shape> = ShapeMismatchUnless<`andThen: the next layer expects features ${ShowShape<I2>}, got ${ShowShape<O>}`, StepFits<O, I2>>;
type StepFits<O extends Shape, I2 extends Shape> = IsSame<I2> extends true ? true : IsSame<O> extends true ? true : Fits<O, I2>;
