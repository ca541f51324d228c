import { compile, grad, input, mul, print, sigmoid, simplify, sum, tensor } from "@typegrad/core";

const x = input("x", [3]); // a placeholder: Expr<[3], "f32">
const y = sum(mul(sigmoid(x), x)); // y = Σ σ(x)·x, a scalar
const [dx] = grad(y, [x]); // dy/dx as an expression graph
console.log(print(simplify(dx)));

const f = compile({ x }, { y, dx }); // WebAssembly kernels, compiled once
const out = f.run({ x: tensor([1, 2, 3]) });
console.log(`y = ${out.y.item().toFixed(4)}, dy/dx = [${out.dx.toFlat().map((v) => v.toFixed(4)).join(", ")}]`);
