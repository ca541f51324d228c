// Parity with PyTorch 1.13 (an independent oracle): each stored computation is rebuilt with core
// ops and evaluated in float64. Conventions and tolerances: test/fixtures/torch/README.md.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type Expr, type Shape, type Tensor,
  add, evaluate, grad, hessian, hvp, input, logSoftmax, logSumExp, matmul, mean, mul, oneHot, relu, reshape, sigmoid, slice,
  softmax, softplus, square, sub, sum, tanh, tensor, transpose,
} from "../src/index.js";

interface Stored {
  readonly shape: number[];
  readonly data: number[];
}
/** A JSON object of a fixture; fields are read with the helpers below. */
type Json = Record<string, unknown>;
type F64 = Expr<Shape, "f64">;

const load = (name: string): Json => JSON.parse(readFileSync(new URL(`./fixtures/torch/${name}.json`, import.meta.url), "utf8")) as Json;
const stored = (o: Json, key: string): Stored => o[key] as Stored;
const num = (o: Json, key: string): number => o[key] as number;
const str = (o: Json, key: string): string => o[key] as string;
const obj = (o: Json, key: string): Json => o[key] as Json;
const f64 = (t: Stored): Tensor => tensor(t.data, { shape: t.shape, dtype: "f64" });
const i32 = (t: Stored): Tensor => tensor(t.data, { shape: t.shape, dtype: "i32" });

const FIRST = { rtol: 1e-10, atol: 1e-12 };
const SECOND = { rtol: 1e-9, atol: 1e-11 };

/** |actual − expected| ≤ rtol·|expected| + atol elementwise, naming the first element that is not. */
function expectClose(what: string, actual: Tensor, expected: Stored | number, tol: { rtol: number; atol: number }): void {
  const want = typeof expected === "number" ? { shape: [], data: [expected] } : expected;
  expect(actual.shape, `${what}: shape`).toEqual(want.shape);
  want.data.forEach((b, i) => {
    const a = actual.data[i] as number;
    if (!(Math.abs(a - b) <= tol.rtol * Math.abs(b) + tol.atol)) expect.fail(`${what}[${i}]: got ${a}, PyTorch ${b} (difference ${Math.abs(a - b)})`);
  });
}

/** F.cross_entropy per sample: logSumExp of each row minus the logit of its label. */
const crossEntropyPerSample = (logits: F64, labels: Expr<Shape, "i32">): Expr =>
  sub(logSumExp(logits) as F64, sum(mul(logits, oneHot(labels, logits.shape[1] as number, "f64")), -1));

describe("PyTorch parity: losses and activations", () => {
  const fixture = load("losses-and-activations");
  const activations: Record<string, (x: F64) => Expr> = {
    sigmoid, tanh, relu, softplus,
    log_softmax: (x) => logSoftmax(x),
    softmax: (x) => softmax(x),
    logsumexp: (x) => logSumExp(x),
  };
  for (const [vector, data] of Object.entries(obj(fixture, "vectors") as Record<string, Json>)) {
    const x = input("x", stored(data, "x").shape, "f64");
    const bind = { x: f64(stored(data, "x")) };

    for (const [name, f] of Object.entries(activations)) {
      it(`${name} on the ${vector} vector: value and gradient of Σ f(x)·G`, () => {
        const ref = obj(obj(data, "functions"), name);
        const y = f(x);
        const [dx] = grad(sum(mul(y, input("G", y.shape, "f64"))), [x]);
        const [value, gradient] = evaluate([y, dx], { ...bind, G: f64(stored(ref, "G")) });
        expectClose(`${name} value`, value, stored(ref, "value"), FIRST);
        expectClose(`${name} gradient`, gradient, stored(ref, "grad"), FIRST);
      });
    }

    it(`cross-entropy of the ${vector} logits: mean, per sample, and their gradients`, () => {
      const ce = obj(data, "cross_entropy");
      const logits = input("logits", stored(ce, "logits").shape, "f64");
      const labels = input("labels", stored(ce, "target").shape, "i32");
      const perSample = crossEntropyPerSample(logits, labels);
      const loss = mean(perSample);
      const [dMean] = grad(loss, [logits]);
      const [dWeighted] = grad(sum(mul(perSample, input("G", perSample.shape, "f64"))), [logits]);
      const [l, ls, dm, dw] = evaluate([loss, perSample, dMean, dWeighted], {
        logits: f64(stored(ce, "logits")), labels: i32(stored(ce, "target")), G: f64(stored(ce, "G")),
      });
      expectClose("loss_mean", l, num(ce, "loss_mean"), FIRST);
      expectClose("loss_per_sample", ls, stored(ce, "loss_per_sample"), FIRST);
      expectClose("grad_of_mean", dm, stored(ce, "grad_of_mean"), FIRST);
      expectClose("grad_of_per_sample_times_G", dw, stored(ce, "grad_of_per_sample_times_G"), FIRST);
    });

    it(`MSE on the ${vector} vector`, () => {
      const mse = obj(data, "mse_loss");
      const loss = mean(square(sub(x, input("target", x.shape, "f64"))));
      const [dx] = grad(loss, [x]);
      const [l, g] = evaluate([loss, dx], { ...bind, target: f64(stored(mse, "target")) });
      expectClose("mse value", l, num(mse, "value"), FIRST);
      expectClose("mse gradient", g, stored(mse, "grad"), FIRST);
    });
  }
});

/** A column vector multiplied from the left: M·x for M [r, c] and x [c]. */
const mv = (m: Expr, x: Expr): Expr => matmul(m as F64, x as F64);

describe("PyTorch parity: second order", () => {
  const entries = load("second-order")["entries"] as Json[];
  const param = (e: Json, name: string): Expr => input(name, stored(e, name).shape, "f64");

  /** Builds f on x and the entry's other tensors, then checks value, gradient, Hessian and H·v. */
  function check(name: string, f: (x: Expr, e: Json) => Expr, floats: string[], ints: string[] = []): void {
    it(`${name}: value, gradient, Hessian and Hessian-vector product`, () => {
      const e = entries.find((entry) => str(entry, "name") === name) as Json;
      const x = param(e, "x");
      const y = f(x, e);
      const [g] = grad(y, [x]);
      const v = param(e, "v");
      const bind: Record<string, Tensor> = {
        ...Object.fromEntries(["x", "v", ...floats].map((k) => [k, f64(stored(e, k))])),
        ...Object.fromEntries(ints.map((k) => [k, i32(stored(e, k))])),
      };
      const [value, gradient, h, hv] = evaluate([y, g, hessian(y, x), hvp(y, x, v)], bind);
      expectClose("value", value, num(e, "value"), FIRST);
      expectClose("gradient", gradient, stored(e, "grad"), FIRST);
      expectClose("hessian", h, stored(e, "hessian"), SECOND);
      expectClose("hvp", hv, stored(e, "hvp"), SECOND);
      if (e["third_order"] !== undefined) {
        // d/dx (v·(H(x)·u)): differentiate the Hessian-vector product once more.
        const [third] = grad(sum(mul(hvp(y, x, param(e, "u")), v)), [x]);
        expectClose("third_order", evaluate(third, { ...bind, u: f64(stored(e, "u")) }), stored(e, "third_order"), SECOND);
      }
    });
  }

  check("tanh_sq", (x, e) => sum(square(tanh(mv(param(e, "W"), x)))), ["W"]);
  check("logsumexp_affine", (x, e) => logSumExp(add(mv(param(e, "A"), x), param(e, "b")) as F64), ["A", "b"]);
  check("softplus_sigmoid", (x, e) => sum(softplus(mv(param(e, "C"), sigmoid(mv(param(e, "B"), x))))), ["B", "C"]);
  check(
    "mlp_params",
    (theta, e) => {
      // theta concatenates the state_dict values in order, each flattened row-major.
      const state = obj(e, "state_dict");
      let at = 0;
      const p = Object.fromEntries(
        (e["param_order"] as string[]).map((k) => {
          const shape = stored(state, k).shape;
          const n = shape.reduce((a, b) => a * b, 1);
          at += n;
          return [k, reshape(slice(theta, 0, at - n, at), shape)];
        }),
      );
      const linear = (h: Expr, i: number): F64 => add(matmul(h as F64, transpose(p[`${i}.weight`] as F64)), p[`${i}.bias`] as F64);
      const logits = linear(tanh(linear(param(e, "X"), 0)), 2);
      return mean(crossEntropyPerSample(logits, input("Y", stored(e, "Y").shape, "i32")));
    },
    ["X"],
    ["Y"],
  );
});

describe("PyTorch parity: MLP gradients", () => {
  const fixture = load("mlp-grads");
  const activations: Record<string, (x: Expr) => Expr> = { sigmoid, tanh, relu };
  for (const e of fixture["entries"] as Json[]) {
    it(`${str(e, "name")}: output, loss and every gradient`, () => {
      const state = obj(e, "state_dict");
      const layers = (e["sizes"] as number[]).length - 1;
      const x = input("input", stored(e, "input").shape, "f64");
      const names = Object.keys(state);
      const params = Object.fromEntries(names.map((k) => [k, input(k, stored(state, k).shape, "f64")]));
      // nn.Sequential(Linear, act, Linear, act, …, Linear): Linear i sits at index 2i; y = h·Wᵀ + b.
      let h: F64 = x;
      for (let i = 0; i < layers; i++) {
        h = add(matmul(h, transpose(params[`${2 * i}.weight`] as F64)), params[`${2 * i}.bias`] as F64);
        if (i < layers - 1) h = (activations[str(e, "activation")] as (x: F64) => F64)(h);
      }
      const target = stored(e, "target");
      const isMse = str(e, "loss_kind") === "mse";
      const loss = isMse ? mean(square(sub(h, input("target", target.shape, "f64")))) : mean(crossEntropyPerSample(h, input("target", target.shape, "i32")));
      const grads = grad(loss, [...names.map((k) => params[k] as Expr), x]);
      const bind: Record<string, Tensor> = {
        input: f64(stored(e, "input")),
        target: isMse ? f64(target) : i32(target),
        ...Object.fromEntries(names.map((k) => [k, f64(stored(state, k))])),
      };
      const [output, l, ...g] = evaluate([h, loss, ...grads], bind);
      expectClose("output", output, stored(e, "output"), FIRST);
      expectClose("loss", l, num(e, "loss"), FIRST);
      names.forEach((k, i) => expectClose(`grad ${k}`, g[i] as Tensor, stored(obj(e, "grads"), k), FIRST));
      expectClose("input_grad", g[names.length] as Tensor, stored(e, "input_grad"), FIRST);
    });
  }
});
