import { type Expr, type Shape, add, compile, div, evaluate, grad, input, key, linspace, matmul, mean, mul, normal, pow, sigmoid, split, sqrt, square, sub, tensor, zeros } from "@typegrad/core";

// Data: 100 points of y = 2.3x + 4.7 on [0, 3], as [100, 1] columns.
const xs = linspace(0, 3, 100);
const data = { x: tensor(xs.data, { shape: [100, 1] }), y: tensor(xs.toFlat().map((v) => 2.3 * v + 4.7), { shape: [100, 1] }) };

// The 1-2-5-1 network with sigmoids; its parameters are inputs, like the data.
const params = { w1: input("w1", [1, 2]), b1: input("b1", [2]), w2: input("w2", [2, 5]), b2: input("b2", [5]), w3: input("w3", [5, 1]), b3: input("b3", [1]) };
const { w1, b1, w2, b2, w3, b3 } = params;
const x = input("x", [100, 1]);
const y = input("y", [100, 1]);
const yHat = add(matmul(sigmoid(add(matmul(sigmoid(add(matmul(x, w1), b1)), w2), b2)), w3), b3);
const loss = mean(square(sub(yHat, y))); // MSE

// Adam, as expressions: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², p ← p − lr·m̂/(√v̂ + ε).
const [lr, beta1, beta2, eps] = [0.02, 0.9, 0.999, 1e-8];
const t = input("t", []); // the step number, from 1
const names = Object.keys(params) as (keyof typeof params)[];
const grads = grad(loss, names.map((n) => params[n]));
const state: Record<string, Expr> = { x, y, t };
const next: Record<string, Expr> = { loss, yHat };
names.forEach((n, i) => {
  const p: Expr<Shape, "f32"> = params[n];
  const g = grads[i] as Expr<Shape, "f32">;
  const [m, v] = [input(`m_${n}`, p.shape), input(`v_${n}`, p.shape)];
  const m1 = add(mul(m, beta1), mul(g, 1 - beta1));
  const v1 = add(mul(v, beta2), mul(square(g), 1 - beta2));
  const [mHat, vHat] = [div(m1, sub(1, pow(beta1, t))), div(v1, sub(1, pow(beta2, t)))];
  Object.assign(state, { [n]: p, [`m_${n}`]: m, [`v_${n}`]: v });
  Object.assign(next, { [n]: sub(p, div(mul(mHat, lr), add(sqrt(vHat), eps))), [`m_${n}`]: m1, [`v_${n}`]: v1 });
});
// Parameters and moments are updated in place: each output overwrites the input of its name.
const donate = Object.fromEntries(names.flatMap((n) => [n, `m_${n}`, `v_${n}`]).map((s) => [s, s]));
const step = compile(state, next, { donate });

// Initial values: parameters ~ N(0, 1) from explicit keys, moments 0.
const k = input("key", [2], "i32");
const keys = split(key(0), names.length);
names.forEach((n, i) => {
  step.set(n, evaluate(normal(k, params[n].shape), { key: keys[i] ?? key(0) }));
  step.set(`m_${n}`, zeros(params[n].shape)).set(`v_${n}`, zeros(params[n].shape));
});
step.set("x", data.x).set("y", data.y);

for (let i = 1; i <= 3000; i++) {
  step.set("t", Float32Array.of(i));
  step.execute(); // one compiled program: forward, backward and the update, no allocation
  if (i % 1000 === 0) console.log(`step ${i}: loss ${step.get("loss").item().toExponential(2)}`);
}
const fit = step.get("yHat").toFlat();
console.log(`ŷ(0) = ${fit[0]?.toFixed(3)}, ŷ(3) = ${fit[99]?.toFixed(3)}   (true: 4.7, 11.6)`);
