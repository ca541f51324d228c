import { type Expr, dropoutMask, evaluate, grad, input, key, mean, mul, print, simplify, sum, tensor } from "@typegrad/core";

const x = input("x", [8]);
const k = input("key", [2], "i32");
const dropout = (h: Expr<[8]>, mode: "train" | "eval") => (mode === "train" ? mul(h, dropoutMask(k, 0.5, [8], "f32")) : h);

const train = dropout(x, "train");
const [dx] = grad(sum(train), [x]);
console.log(print(simplify(dx)));

const values = { x: tensor([1, 2, 3, 4, 5, 6, 7, 8]), key: key(0) };
const [y, g] = evaluate([train, dx], values);
console.log("train:", y.toFlat().join(" "), "  ∂/∂x:", g.toFlat().join(" "));
console.log("eval: ", evaluate(dropout(x, "eval"), { x: values.x }).toFlat().join(" "));

const big = input("ones", [100000]);
const kept = mean(mul(big, dropoutMask(k, 0.5, [100000], "f32")));
console.log("mean of dropout(1):", evaluate(kept, { ones: tensor(new Float32Array(100000).fill(1), { shape: [100000] }), key: key(1) }).item().toFixed(4));
