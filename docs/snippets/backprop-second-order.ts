import { evaluate, grad, hessian, hvp, input, matmul, mul, print, simplify, square, sub, sum, tanh, tensor } from "@typegrad/core";

const a = input("A", [3, 2]);
const b = input("b", [3]);
const w = input("w", [2]);
const v = input("v", [2]);
const loss = mul(sum(square(sub(matmul(a, w), b))), 0.5); // ½‖Aw − b‖²

const [g] = grad(loss, [w]);
console.log(print(simplify(g))); // a graph, so it can be differentiated again
console.log(print(simplify(hvp(loss, w, v)))); // H·v = ∇⟨∇L, v⟩, never forming H

const x = input("x", [3]);
const [dx] = grad(sum(tanh(x)), [x]);
console.log(print(simplify(grad(sum(dx), [x])))); // d²/dx² tanh, elementwise
const values = { x: tensor([0, 0.5, 1]) };
console.log(evaluate(hessian(sum(tanh(x)), x), values).toString()); // diagonal: the line above
