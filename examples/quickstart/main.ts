// Build an expression, differentiate it, print the gradient, compile both and run them.
import { compile, grad, input, mul, print, sigmoid, simplify, sum, tensor } from "@typegrad/core";

const x = input("x", [3]); // Expr<[3], "f32">
const y = sum(mul(sigmoid(x), x)); // Expr<[], "f32">
const [dx] = grad(y, [x]); // Expr<[3], "f32">: a graph, not numbers

console.log("y  =", print(y));
console.log("dy/dx =", print(simplify(dx)));

const f = compile({ x }, { y, dx }); // WebAssembly kernels, cached
const { y: value, dx: gradient } = f.run({ x: tensor([1, 2, 3]) });
console.log("y(1,2,3) =", value.item().toFixed(4), " dy/dx =", gradient.toFlat().map((v) => v.toFixed(4)).join(", "));

const [d2x] = grad(sum(dx), [x]); // differentiate the gradient again
console.log("d²y/dx² (diagonal) =", print(simplify(d2x)));
