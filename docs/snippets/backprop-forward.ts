import { add, evaluate, input, matmul, mean, print, sigmoid, square, sub, tensor } from "@typegrad/core";

const x = input("x", [2, 2]);
const w1 = input("W1", [2, 3]);
const b1 = input("b1", [3]);
const w2 = input("W2", [3, 1]);
const b2 = input("b2", [1]);
const y = input("y", [2, 1]);

const h = sigmoid(add(matmul(x, w1), b1)); // Expr<[2, 3], "f32">
const yHat = add(matmul(h, w2), b2); // Expr<[2, 1], "f32">
const loss = mean(square(sub(yHat, y))); // Expr<[], "f32">

console.log(print(loss));
const values = {
  x: tensor([[0, 1], [1, 0]]),
  W1: tensor([[0.5, -1, 0], [1, 0.5, -0.5]]),
  b1: tensor([0, 0.1, 0.2]),
  W2: tensor([[1], [-1], [2]]),
  b2: tensor([0.5]),
  y: tensor([[1], [2]]),
};
console.log(evaluate(loss, values).item().toFixed(6));
