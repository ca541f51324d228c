import { type Expr, add, constant, evaluate, grad, input, matmul, sqrt, square, sum, tanh, tensor } from "@typegrad/core";

const w = constant(tensor([[0.3, -0.2, 0.1], [0.1, 0.3, -0.2], [-0.2, 0.1, 0.3]]));
const block = (h: Expr<[3], "f32">) => tanh(matmul(w, h));
const x = input("x", [3]);

for (const depth of [5, 20, 50]) {
  let plain: Expr<[3], "f32"> = x;
  let skip: Expr<[3], "f32"> = x;
  for (let i = 0; i < depth; i++) {
    plain = block(plain); // h ← f(h)
    skip = add(skip, block(skip)); // h ← h + f(h)
  }
  const norm = (h: Expr) => sqrt(sum(square(grad(sum(h), [x])[0])));
  const [p, s] = evaluate([norm(plain), norm(skip)], { x: tensor([0.5, -0.5, 1]) });
  console.log(`depth ${depth}: ‖∂/∂x‖ plain ${p.item().toExponential(2)}, residual ${s.item().toExponential(2)}`);
}
