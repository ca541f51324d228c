import { add, compile, grad, input, matmul, square, sub, sum, tensor } from "@typegrad/core";

const x = input("x", ["batch", 1]); // any batch size
const y = input("y", ["batch", 1]);
const w = input("w", [1, 1]);
const b = input("b", [1]);
const loss = sum(square(sub(add(matmul(x, w), b), y)));
const [dw, db] = grad(loss, [w, b]);

const f = compile({ x, y, w, b }, { loss, dw, db }); // WebAssembly kernels over one arena
for (const n of [2, 3]) {
  const xs = Array.from({ length: n }, (_, i) => [i]);
  const out = f.run({ x: tensor(xs), y: tensor(xs.map(([v = 0]) => [2.3 * v + 4.7])), w: tensor([[1]]), b: tensor([0]) });
  console.log(`batch ${n}: loss ${out.loss.item().toFixed(3)}, dw ${out.dw.item().toFixed(3)}, db ${out.db.item().toFixed(3)}`);
}
