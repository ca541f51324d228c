import { type Expr, add, evaluate, input, matmul, mul, print, relu, tensor } from "@typegrad/core";

const a = tensor([[1, 2], [3, 4]]); // Tensor<[2, 2], "f32">: a concrete value
console.log(a.toString());

const x = input("x", ["batch", 2]); // Expr<["batch", 2], "f32">: a symbolic input
const w = input("w", [2, 3]);
const h = relu(add(matmul(x, w), 1)); // Expr<["batch", 3], "f32">: nothing computed yet
console.log(JSON.stringify(h.shape), h.dtype);
console.log(print(h));

const out = evaluate(h, { x: tensor([[1, -1], [0, 2]]), w: tensor([[1, 0, -1], [2, 1, 0]]) });
console.log(out.toString()); // "batch" was bound to 2 by the tensor

try {
  const n: number = 5; // a dimension the compiler cannot see: checked when the node is built
  mul(input("u", [3, n]) as Expr, input("v", [4]));
} catch (e) {
  console.log(String(e));
}
