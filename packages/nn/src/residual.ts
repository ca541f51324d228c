import { type Expr, type Key, type ShapeMismatchUnless, type ShowShape, ValueError, add, split } from "@typegrad/core";
import { type Layer, layer } from "./layer.js";
import type { Fits, InOf, OutOf, Simplify, TreeOf } from "./shapes.js";
import { type Params, type Vars, subtree } from "./tree.js";


/** `unknown` when the block keeps its features, or the projection maps the input to the block's output features. */
type ResidualCheck<L, Q> = Q extends undefined
  ? ShapeMismatchUnless<`residual: a block without projection must keep its features, got ${ShowShape<InOf<L>>} in and ${ShowShape<OutOf<L>>} out`, Fits<OutOf<L>, InOf<L>>>
  : ShapeMismatchUnless<`residual: the projection gives features ${ShowShape<OutOf<Q>>}, the block ${ShowShape<OutOf<L>>}`, Fits<OutOf<Q>, OutOf<L>>> &
      ShapeMismatchUnless<`residual: the projection expects features ${ShowShape<InOf<Q>>}, the block ${ShowShape<InOf<L>>}`, Fits<InOf<L>, InOf<Q>>>;

/** The block's tree, with the projection's under its name ("projection" unless named). */
type ResidualTree<L, Q, W extends "init" | "initState"> = Q extends undefined
  ? TreeOf<L, W>
  : [keyof TreeOf<Q, W>] extends [never]
    ? TreeOf<L, W>
    : Simplify<TreeOf<L, W> & { [K in Q extends { readonly name: infer N extends string } ? N : "projection"]: TreeOf<Q, W> }> extends infer T extends Params
      ? T
      : Params;

/**
 * A skip connection: y = x + block(x), or projection(x) + block(x) when the block changes the
 * features. The block's parameters sit at this layer's top level (as in a PyTorch module with
 * `fc1`, `fc2` children); the projection's under its name ("projection" unless `named`).
 * @example
 * const block = residual(sequential(named("fc1", dense(8, 16)), relu(), named("fc2", dense(16, 8))));
 */
export function residual<L extends Layer, Q extends Layer | undefined = undefined>(
  block: ResidualCheck<L, Q> & L,
  projection?: Q,
): Layer<InOf<L>, OutOf<L>, ResidualTree<L, Q, "init">, ResidualTree<L, Q, "initState">>;
export function residual(block: Layer, projection?: Layer): Layer {
  const projName = projection?.name ?? "projection";
  const merge = (inner: Params, proj: Params | undefined): Params => {
    if (proj === undefined || Object.keys(proj).length === 0) return inner;
    if (projName in inner) throw new ValueError("residual", `a projection name not used by the block`, `"${projName}"`, "rename it with named()");
    return { ...inner, [projName]: proj };
  };
  const blockPart = (t: Vars): Vars => {
    const { [projName]: _proj, ...rest } = t;
    return projection === undefined ? t : rest;
  };
  return layer({
    init: (key: Key, dtype) => {
      const [kb, kp] = split(key, 2) as [Key, Key];
      return merge(block.init(kb, dtype), projection?.init(kp, dtype));
    },
    initState: (dtype) => merge(block.initState(dtype), projection?.initState(dtype)),
    call: (params, state, x: Expr, ctx) => {
      const b = block.call(blockPart(params), blockPart(state), x, ctx);
      if (projection === undefined) return { y: add(x, b.y), state: b.state };
      const p = projection.call(subtree(params, projName), subtree(state, projName), x, ctx);
      const next: Vars = Object.keys(p.state).length ? { ...b.state, [projName]: p.state } : b.state;
      return { y: add(p.y, b.y), state: next };
    },
  });
}
