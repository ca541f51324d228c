import { add, grad, input, mul, print, simplify, sum, tanh } from "@typegrad/core";

const x = input("x", [4, 3]);
const b = input("b", [3]); // broadcast along the rows
const c = input("c", [4, 1]); // broadcast along the columns
const s = input("s", []); // broadcast everywhere
const loss = sum(tanh(mul(add(add(x, b), c), s)));

console.log(print(simplify(grad(loss, [b, c, s]))));
