import { add, div, evaluate, input, mean, mul, sqrt, sub, sum, tensor, variance, vjp } from "@typegrad/core";

const x = input("x", [4, 2], "f64"); // 4 examples, 2 features
const u = input("u", [4, 2], "f64"); // any upstream gradient ∂L/∂x̂
const xHat = div(sub(x, mean(x, 0, true)), sqrt(add(variance(x, 0, true), 1e-5)));
const [dx] = vjp(xHat, [x], u);

// The closed form: ∂L/∂x = (u − mean(u) − x̂·mean(u·x̂)) / √(σ² + ε), per feature.
const closed = div(sub(sub(u, mean(u, 0, true)), mul(xHat, mean(mul(u, xHat), 0, true))), sqrt(add(variance(x, 0, true), 1e-5)));

const f64 = { dtype: "f64" } as const;
const values = { x: tensor([[1, 10], [2, 20], [4, 0], [7, 30]], f64), u: tensor([[1, 0], [0, 1], [2, 2], [-1, 3]], f64) };
const [g, c, colSum, dot] = evaluate([dx, closed, sum(dx, 0), sum(mul(dx, xHat), 0)], values);
console.log(g.toFlat().map((v) => v.toFixed(6)).join(" "));
console.log(c.toFlat().map((v) => v.toFixed(6)).join(" "));
console.log("Σ over the batch:", colSum.toFlat().map((v) => v.toExponential(1)).join(" "));
console.log("⟨∂x, x̂⟩ per feature:", dot.toFlat().map((v) => v.toExponential(1)).join(" "));
