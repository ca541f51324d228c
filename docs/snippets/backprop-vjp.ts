import { evaluate, input, jacobian, matmul, print, simplify, tanh, tensor, vjp } from "@typegrad/core";

const w = input("W", [2, 3]);
const x = input("x", [3]);
const u = input("u", [2]); // the cotangent: ∂L/∂y, one number per output
const y = tanh(matmul(w, x)); // y ∈ ℝ², x ∈ ℝ³

const [dx] = vjp(y, [x], u); // uᵀ·J, without forming J
console.log(print(simplify(dx)));

const values = { W: tensor([[1, 2, 0], [0, -1, 1]]), x: tensor([0.1, 0.2, 0.3]), u: tensor([1, 0]) };
const [g, jac] = evaluate([dx, jacobian(y, x)], values); // the Jacobian costs one VJP per output
console.log(g.toString());
console.log(jac.toString()); // row 0 is uᵀ·J for u = (1, 0)
