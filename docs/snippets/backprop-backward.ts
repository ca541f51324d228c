import { add, grad, input, matmul, mean, print, sigmoid, simplify, square, sub } from "@typegrad/core";

const x = input("x", [2, 2]);
const w1 = input("W1", [2, 3]);
const b1 = input("b1", [3]);
const w2 = input("W2", [3, 1]);
const b2 = input("b2", [1]);
const y = input("y", [2, 1]);
const h = sigmoid(add(matmul(x, w1), b1));
const loss = mean(square(sub(add(matmul(h, w2), b2), y)));

const grads = grad(loss, [w2, b2, w1, b1]);
console.log(print(simplify(grads)));
