import { evaluate, grad, input, logSoftmax, mean, mul, neg, oneHot, print, simplify, softmax, sub, sum, tensor } from "@typegrad/core";

const z = input("z", [2, 3]); // logits: 2 examples, 3 classes
const y = input("y", [2], "i32"); // labels
const loss = mean(neg(sum(mul(oneHot(y, 3), logSoftmax(z)), -1)));

const [dz] = grad(loss, [z]);
console.log(print(simplify(dz)));

const values = { z: tensor([[2, 1, 0], [0, 0, 3]]), y: tensor([0, 1], { dtype: "i32" }) };
const [g, direct] = evaluate([dz, sub(softmax(z), oneHot(y, 3))], values);
console.log(g.toString());
console.log(direct.toString()); // twice the gradient: the mean divides by the batch size 2
