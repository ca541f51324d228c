import { type Expr, add, evaluate, grad, input, linspace, matmul, mean, print, printLatex, simplify, square, sub, sum, tanh, tensor } from "@typegrad/core";

const x = input("x", [100, 1]);
const y = input("y", [100, 1]);
const w = input("w", [1, 1]);
const b = input("b", [1]);
const loss = mean(square(sub(add(matmul(x, w), b), y)));

const [dw, db] = simplify(grad(loss, [w, b])); // expressions of the shapes of w and b
console.log(print(loss));
console.log(print([dw, db]));
console.log(printLatex(db));

const xs = linspace(0, 3, 100);
const data = { x: tensor(xs.data, { shape: [100, 1] }), y: tensor(xs.toFlat().map((v) => 2.3 * v + 4.7), { shape: [100, 1] }) };
const [gw, gb] = evaluate([dw, db], { ...data, w: tensor([[0]]), b: tensor([0]) });
console.log(`at w = 0, b = 0: ∂L/∂w = ${gw.item().toFixed(4)}, ∂L/∂b = ${gb.item().toFixed(4)}`);

const df = grad((z: Expr<[3], "f32">) => sum(tanh(z))); // function style: z ↦ ∇f(z)
console.log(print(simplify(df(input("z", [3])))));
