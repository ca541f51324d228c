import * as fc from "fast-check";
import { type Expr, div, mul, sqrt, stopGradient, sum, tensor } from "@typegrad/core";
import { describeReport, gradcheck, tensorArbitrary } from "@typegrad/core/testing";

// x/‖x‖, and a "faster" variant that (wrongly) treats the norm as a constant.
const normalize = (x: Expr) => div(x, sqrt(sum(mul(x, x))));
const detached = (x: Expr) => div(x, stopGradient(sqrt(sum(mul(x, x)))));

const at = tensor([0.5, -1, 2], { dtype: "f64" });
console.log(describeReport(gradcheck(normalize, [at])));
console.log(describeReport(gradcheck(detached, [at])));

// The same check on 50 random inputs; a failure would shrink to a small counterexample.
const vectors = tensorArbitrary({ shape: [4], min: -2, max: 2, avoid: [0] });
fc.assert(fc.property(vectors, (v) => gradcheck(normalize, [v]).ok), { numRuns: 50, seed: 1 });
console.log("50 random inputs: ok");
