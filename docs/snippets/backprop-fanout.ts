import { exp, grad, input, mul, print, simplify, sin, sum } from "@typegrad/core";

const x = input("x", [3]);
const [d1] = grad(sum(mul(x, sin(x))), [x]); // x reaches the product along two paths
console.log(print(simplify(d1)));

const e = exp(x); // one node, used twice
const [d2] = grad(sum(mul(e, e)), [x]);
console.log(print(simplify(d2)));
