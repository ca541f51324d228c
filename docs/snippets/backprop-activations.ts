import { evaluate, grad, input, print, relu, sigmoid, simplify, sum, tanh, tensor } from "@typegrad/core";

const x = input("x", [3]);
for (const [name, f] of [["sigmoid", sigmoid], ["tanh", tanh], ["relu", relu]] as const) {
  const [dx] = grad(sum(f(x)), [x]);
  const at = evaluate(dx, { x: tensor([-1, 0, 1]) }).toFlat().map((v) => v.toFixed(4));
  console.log(`${name}: ${print(simplify(dx))}   at (−1, 0, 1): ${at.join(", ")}`);
}
