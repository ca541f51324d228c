import type { Expr } from "../graph/expr.js";
import { type Primitive, apply } from "../graph/primitive.js";
import { type ConcreteShape, type Shape, ShapeError, sizeOf } from "../shape/shape.js";
import type { Mutable } from "../shape/types.js";
import { randomWords } from "../random/threefry.js";
import { Tensor } from "../tensor/tensor.js";

export interface RandomBitsParams {
  readonly shape: Shape;
}

export const randomBitsOp: Primitive<"randomBits", RandomBitsParams> = {
  name: "randomBits",
  traits: { role: "kernel", cheap: false, splat: "none", differentiable: false },
  infer: ([k], p) => {
    const key = k as Expr;
    if (key.dtype !== "i32" || key.rank !== 1 || key.shape[0] !== 2)
      throw new ShapeError("randomBits", "a key: i32 of shape [2]", `${key.dtype}[${key.shape.join(",")}]`, "make keys with key(seed)");
    return { shape: p.shape, dtype: "i32" };
  },
  evaluate: ([k], _p, out) => {
    const kd = (k as Tensor).data;
    const words = randomWords(kd[0] as number, kd[1] as number, sizeOf(out.shape as ConcreteShape));
    return new Tensor(out.shape, "i32", new Int32Array(words.buffer, words.byteOffset, words.length));
  },
  // Random bits do not depend smoothly on anything.
  vjp: () => [null],
  print: { kind: "custom", text: ([k]) => `bits(${k})`, latex: ([k]) => `\\operatorname{bits}(${k})` },
  domain: (s) => ({ inputs: [{ shape: [2], dtype: "i32", min: 0, max: 1000 }], params: { shape: s.shape(0, 2) } }),
};

/** 32 random bits per element (as i32) from a key, by Threefry-2x32 over the element index. */
export function randomBits<const S extends Shape>(key: Expr<readonly [2], "i32"> | Expr<[2], "i32"> | Expr<Shape, "i32">, shape: S): Expr<Mutable<S>, "i32"> {
  return apply(randomBitsOp, [key], { shape: [...shape] }) as Expr<Mutable<S>, "i32">;
}
