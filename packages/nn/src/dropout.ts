import { type Expr, ValueError, dropoutMask, mul } from "@typegrad/core";
import { type Layer, type NoParams, type Same, layer } from "./layer.js";

/**
 * Inverted dropout (PyTorch's nn.Dropout): in training each element is zeroed with probability
 * p and the kept ones are scaled by 1/(1−p); in evaluation it is the identity. The mask is drawn
 * inside the graph from `ctx.key`, so a run is reproducible from its seed.
 * @example
 * sequential(dense(784, 128), relu(), dropout(0.2), dense(128, 10));
 */
export function dropout(p = 0.5): Layer<Same, Same, NoParams, NoParams> {
  if (!(p >= 0 && p <= 1)) throw new ValueError("dropout", "a probability in [0, 1]", String(p));
  return layer({
    forward: (_params, x: Expr, ctx) => {
      if (ctx.mode === "eval" || p === 0) return x;
      if (p === 1) return mul(x, 0);
      if (ctx.key === undefined) throw new ValueError("dropout", "a key in the context in training mode", "none", "pass { mode: \"train\", key }");
      return mul(x, dropoutMask(ctx.key, p, x.shape, x.dtype === "f64" ? "f64" : "f32"));
    },
  });
}
