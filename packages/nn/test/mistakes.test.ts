// The 17 classes of shape mistakes, each made at least three ways (literal and symbolic
// dimensions, over several statements, inside a user's generic helper), compiled with the
// TypeScript API: every case must give exactly one diagnostic whose first line names the op and
// the shapes (or dtypes); the valid counterparts must compile cleanly.
import { beforeAll, describe, expect, it } from "vitest";
import { type CheckResult, type Source, typecheck } from "../../../bench/typecheck.bench.js";

const header = `import { add, cast, concat, compile, exp, grad, input, less, logSoftmax, logSumExp, matmul, max, mean, mul, relu, reshape, slice, softmax, sub, sum, tanh, tensor, transpose, variance, where, zeros, key, type Batch, type Dim, type Expr, type Shape, type Tensor } from "@typegrad/core";
import { adam, andThen, binaryCrossEntropy, bind, constants, crossEntropy, dense, dropout, evaluateModel, fit, mse, named, predict, residual, sequential, sgd, trainStep, relu as reluLayer, type Layer, type Params } from "@typegrad/nn";
import { pipe } from "fp-ts/lib/function.js";
const x = input("x", ["batch", 784]);
const logits = input("logits", ["batch", 10]);
const labels = input("labels", ["batch"], "i32");
const model = sequential(dense(4, 8), reluLayer(), dense(8, 1));
const trainer = trainStep(model, mse, adam());
export { x, logits, labels, model, trainer, input, add, cast, concat, compile, exp, grad, less, logSoftmax, logSumExp, matmul, max, mean, mul, relu, reshape, slice, softmax, sub, sum, tanh, tensor, transpose, variance, where, zeros, key, adam, andThen, binaryCrossEntropy, bind, constants, crossEntropy, dense, dropout, evaluateModel, fit, mse, named, predict, residual, sequential, sgd, pipe, reluLayer, trainStep };
export type { Batch, Dim, Expr, Layer, Params, Shape, Tensor };
`;

/** A mistake: the code, what the first line of its diagnostic must contain, and (if given) what the whole of it must contain. */
type Case = readonly [code: string, message: string, detail?: string];

const classes: Record<string, readonly Case[]> = {
  "1 matmul inner dimensions": [
    [`matmul(x, input("w", [748, 128]));`, `matmul: expected inner dimensions to match, got [batch,784] and [748,128]`],
    [`matmul(input("h", ["batch", "hidden"]), input("w", ["features", 10]));`, `matmul: expected inner dimensions to match, got [batch,hidden] and [features,10]`],
    [`const h = relu(matmul(x, input("w1", [784, 64])));\nconst w2 = input("w2", [128, 10]);\nmatmul(h, w2);`, `matmul: expected inner dimensions to match, got [batch,64] and [128,10]`],
    [`export const layer = <B extends Dim>(h: Expr<[B, 784]>) => matmul(h, input("w", [785, 10]));`, "matmul: expected inner dimensions to match, got [${B},784] and [785,10]"],
  ],
  "2 broadcasting": [
    [`add(input("a", [3, 4]), input("b", [5, 4]));`, `add: cannot broadcast [3,4] with [5,4]`],
    [`mul(input("a", ["batch", 4]), input("b", ["time", 4]));`, `mul: cannot broadcast [batch,4] with [time,4]`],
    [`const h = matmul(x, input("w", [784, 128]));\nconst b = input("b", [10]);\nsub(h, b);`, `sub: cannot broadcast [batch,128] with [10]`],
    [`export const bias = <B extends Dim>(h: Expr<[B, 128]>) => add(h, input("b", [10]));`, "add: cannot broadcast [${B},128] with [10]"],
    [`where(less(x, 0), x, input("z", [3]));`, `where: cannot broadcast [batch,784] with [3]`],
    [`export const pick = <B extends Dim>(c: Expr<[B, 10], "bool">, a: Expr<[B, 10], "f32">) => where(c, a, input("q", [12]));`, "where: cannot broadcast [${B},10] with [12]"],
  ],
  "3 reshape element count": [
    [`reshape(input("a", [3, 4]), [5, 2]);`, `reshape: [3,4] has 12 elements, [5,2] has 10`],
    [`reshape(x, ["batch", 785]);`, `reshape: [batch,784] has 784·batch elements, [batch,785] has 785·batch`],
    [`const img = input("img", ["batch", 28, 28]);\nconst flat = reshape(img, ["batch", 784]);\nreshape(flat, ["batch", 27, 28]);`, `reshape: [batch,784] has 784·batch elements, [batch,27,28] has 756·batch`],
    [`export const flatten = <B extends Dim>(i: Expr<[B, 28, 28]>) => reshape(i, [i.shape[0], 785]);`, "reshape: [${B},28,28] has"],
  ],
  "4 concat off-axis dimensions": [
    [`concat([input("a", [3, 4]), input("b", [3, 5])], 0);`, `concat: expected shapes equal off axis 0, got [3,4] and [3,5]`],
    [`concat([input("a", ["batch", 4]), input("b", ["time", 4])], 1);`, `concat: expected shapes equal off axis 1, got [batch,4] and [time,4]`],
    [`const a = input("a", [2, 3]);\nconst b = transpose(a);\nconcat([a, b], 0);`, `concat: expected shapes equal off axis 0, got [2,3] and [3,2]`],
    [`export const stack = <B extends Dim>(a: Expr<[B, 4]>, b: Expr<[B, 5]>) => concat([a, b], 0);`, "concat: expected shapes equal off axis 0, got [${B},4] and [${B},5]"],
    [`export const rows = <B extends Dim, C extends Dim>(a: Expr<[B, 4]>, b: Expr<[C, 4]>) => concat([a, b], 1);`, "concat: expected shapes equal off axis 1, got [${B},4] and [${C},4]"],
  ],
  "5 reduction axis": [
    [`sum(x, 2);`, `sum: axis 2 is out of range for [batch,784]`],
    [`mean(input("t", [2, 3, 4]), [1, 3]);`, `mean: axis 3 is out of range for [2,3,4]`],
    [`variance(input("s", ["batch", "time"]), -3);`, `variance: axis -3 is out of range for [batch,time]`],
    [`export const top = <B extends Dim>(h: Expr<[B, 10]>) => max(h, 2);`, "max: axis 2 is out of range for [${B},10]"],
  ],
  "6 transpose permutation": [
    [`transpose(x, [0, 0]);`, `transpose: expected a permutation of the axes of [batch,784], got [0,0]`],
    [`transpose(input("t", ["batch", "time", 8]), [0, 1]);`, `transpose: expected 3 axes for [batch,time,8], got [0,1]`],
    [`const t = input("t", [2, 3, 4]);\nconst perm = [0, 2, 3] as const;\ntranspose(t, perm);`, `transpose: expected a permutation of the axes of [2,3,4], got [0,2,3]`],
    [`export const swap = <B extends Dim>(h: Expr<[B, 4, 5]>) => transpose(h, [0, 2, 2]);`, "transpose: expected a permutation of the axes of [${B},4,5], got [0,2,2]"],
  ],
  "7 slice bounds": [
    [`slice(x, 1, 0, 800);`, `slice: expected 0 ≤ start ≤ end ≤ 784 on axis 1 of [batch,784], got start 0, end 800`],
    [`slice(input("s", ["batch", "time"]), 1, 0, 4);`, `slice: expected a numeric dimension on axis 1 of [batch,time], got time`],
    [`const h = slice(x, 1, 0, 100);\nslice(h, 1, 50, 150);`, `slice: expected 0 ≤ start ≤ end ≤ 100 on axis 1 of [batch,100], got start 50, end 150`],
    [`export const head = <B extends Dim>(h: Expr<[B, 10]>) => slice(h, 1, 5, 12);`, "on axis 1 of [${B},10], got start 5, end 12"],
  ],
  "8 softmax axis": [
    [`softmax(logits, 2);`, `softmax: axis 2 is out of range for [batch,10]`],
    [`logSoftmax(input("s", ["batch", "time", "vocab"]), 3);`, `logSoftmax: axis 3 is out of range for [batch,time,vocab]`],
    [`const h = matmul(x, input("w", [784, 10]));\nconst p = softmax(h);\nsoftmax(p, -3);`, `softmax: axis -3 is out of range for [batch,10]`],
    [`export const probs = <B extends Dim>(l: Expr<[B, 10], "f32">) => softmax(l, 2);`, "softmax: axis 2 is out of range for [${B},10]"],
  ],
  "9 grad of a non-scalar": [
    [`grad(mul(x, 2), [x]);`, `grad: expected a scalar, got [batch,784]`],
    [`grad((v: Expr<[3], "f32">) => mul(v, v));`, `grad: expected a scalar, got [3]`],
    [`const loss = mean(x, 1);\ngrad(loss, [x]);`, `grad: expected a scalar, got [batch]`],
    [`export const g = <B extends Dim>(h: Expr<[B, 4], "f32">) => grad(h, [h]);`, "grad: expected a scalar, got [${B},4]"],
  ],
  "10 dtypes": [
    [`add(input("a", [3], "f32"), input("b", [3], "f64"));`, `add: expected operands of one dtype, got f32[3] and f64[3]`],
    [`matmul(x, input("w", [784, 10], "f64"));`, `matmul: expected operands of one dtype, got f32[batch,784] and f64[784,10]`],
    [`const y = input("y", ["batch"]);\ncrossEntropy(logits, y);`, `crossEntropy: expected i32 labels [batch] or f32 targets [batch,10] for logits [batch,10], got f32[batch]`],
    [`export const l2 = <B extends Dim>(h: Expr<[B, 4], "f32">, y: Expr<[B, 4], "f64">) => mse(h, y);`, "mse: expected predictions and targets of one dtype, got f32 and f64"],
    [`where(less(x, 0), x, input("z", [784], "f64"));`, `where: expected operands of one dtype, got f32[batch,784] and f64[784]`],
    [`softmax(input("counts", ["batch", 10], "i32"));`, `softmax: expected a float input, got i32[batch,10] (cast it with cast(x, \\"f32\\"))`],
    [`export const lp = <B extends Dim>(c: Expr<[B, 10], "i32">) => logSoftmax(c, 1);`, "logSoftmax: expected a float input, got i32[${B},10]"],
    [`const counts = input("counts", ["batch", 10], "i32");\nconst scaled = mul(counts, 2);\nexp(scaled);`, `exp: expected a float input, got i32[batch,10]`],
    [`tanh(less(x, 0));`, `tanh: expected a float input, got bool[batch,784]`],
  ],
  "11 dense in-features": [
    [`const fc = dense(784, 128);\nfc.apply(constants(fc.init(key(0))), input("v", ["batch", 748]), { mode: "eval" });`, `apply: the layer expects features [784] on the last axes, got an input [batch,748]`],
    [`predict(model, { params: model.init(key(0)), state: {} }, zeros([32, 3]));`, `predict: the model expects features [4] on the last axes, got x [32,3]`],
    [`const params = model.init(key(0));\nconst data = () => [{ x: zeros([32, 5]), y: zeros([32, 1]) }];\nfit({ model, loss: mse, optimizer: adam(), params, data, epochs: 1 });`, `fit: the model expects features [4] on the last axes, got x [32,5]`],
    [`const ts = trainer.init(model.init(key(0)));\ntrainer.session(ts).step({ x: zeros([8, 3]), y: zeros([8, 1]) });`, `trainStep: the model expects features [4] on the last axes, got x [8,3]`],
    [`export const head = <const H extends number>(h: H) => { const fc = dense(h, 10); return fc.apply(constants(fc.init(key(0))), input("v", ["batch", 5]), { mode: "eval" }); };`, "apply: the layer expects features [${H}] on the last axes, got an input [batch,5]"],
    [`export const run = <const H extends number>(h: H) => { const m = sequential(dense(h, 1)); return predict(m, { params: m.init(key(0)), state: {} }, zeros([32, 5])); };`, "predict: the model expects features [${H}] on the last axes, got x [32,5]"],
  ],
  "12 sequential chains": [
    [`sequential(dense(784, 128), dense(64, 10));`, `sequential: layer 1 expects features [64], got [128] from the layer before`],
    [`sequential(dense(784, 128), reluLayer(), dropout(0.5), dense(64, 10));`, `sequential: layer 3 expects features [64], got [128] from the layer before`],
    [`const encoder = sequential(dense(784, 64), reluLayer());\nsequential(encoder, dense(32, 10));`, `sequential: layer 1 expects features [32], got [64] from the layer before`],
    [`sequential(dense(784, 128), dense(64, 10), dense(20, 1));`, `sequential: layer 1 expects features [64], got [128] from the layer before"> & ShapeMismatch<"sequential: layer 2 expects features [20], got [10]`],
    [`export const head = <const H extends number>(h: H) => sequential(dense(784, h), reluLayer(), dense(10, 10));`, "sequential: layer 2 expects features [10], got [${H}] from the layer before"],
    [`export const mlp = <const H extends number, const K extends number>(h: H, k: K) => sequential(dense(784, h), reluLayer(), dense(k, 10));`, "sequential: layer 2 expects features [${K}], got [${H}] from the layer before"],
    // In a pipe the first line shows andThen's generic step (got [${ShowDims<O>}]); the shapes follow on line 4.
    [`pipe(dense(3, 5), andThen(reluLayer()), andThen(dense(6, 1)));`, "andThen: the next layer expects features [6], got [${ShowDims<O>}]", `andThen: the next layer expects features [6], got [5]`],
  ],
  "13 residual block that changes the shape": [
    [`residual(dense(4, 8));`, `residual: a block without projection must keep its features, got [4] in and [8] out`],
    [`const wide = dense(8, 16);\nresidual(wide);`, `residual: a block without projection must keep its features, got [8] in and [16] out`],
    [`residual(dense(4, 8), named("shortcut", dense(4, 6)));`, `residual: the projection gives features [6], the block [8]`],
    [`export const widen = <const D extends number>(d: D) => residual(dense(d, 8));`, "residual: a block without projection must keep its features, got [${D}] in and [8] out"],
    [`export const bottleneck = <const D extends number, const H extends number>(d: D, h: H) => residual(sequential(dense(d, h), reluLayer(), dense(h, h)));`, "residual: a block without projection must keep its features, got [${D}] in and [${H}] out"],
  ],
  "14 loss: logits and labels disagree": [
    [`crossEntropy(input("l", [32, 10]), input("y", [16], "i32"));`, `crossEntropy: expected i32 labels [32] or f32 targets [32,10] for logits [32,10], got i32[16]`],
    [`crossEntropy(logits, input("t", ["batch", 9]));`, `crossEntropy: expected i32 labels [batch] or f32 targets [batch,10] for logits [batch,10], got f32[batch,9]`],
    [`const out = matmul(x, input("w", [784, 1]));\nconst target = input("t", ["batch"]);\nmse(out, target);`, `mse: expected predictions and targets of one shape, got [batch,1] and [batch]`],
    [`export const ce = <B extends Dim>(l: Expr<[B, 10], "f32">, y: Expr<[B, 10], "i32">) => crossEntropy(l, y);`, "crossEntropy: expected i32 labels [${B}] or f32 targets [${B},10] for logits [${B},10], got i32[${B},10]"],
    // Through fit: the loss is checked against the model's output and the batches' y; the first line gives both, the loss's sentence follows.
    [`fit({ model, loss: crossEntropy, optimizer: adam(), params: model.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32]) }], epochs: 1 });`, `LossFor<Expr<[32, 1], "f32">, Expr<[32], "f32">>`, `crossEntropy: expected i32 labels [32] or f32 targets [32,1] for logits [32,1], got f32[32]`],
    [`const clf = sequential(dense(4, 8), reluLayer(), dense(8, 3));\nconst data = () => [{ x: zeros([32, 4]), y: zeros([16], "i32") }];\nfit({ model: clf, loss: crossEntropy, optimizer: adam(), params: clf.init(key(0)), data, epochs: 1 });`, `LossFor<Expr<[32, 3], "f32">, Expr<[16], "i32">>`, `crossEntropy: expected i32 labels [32] or f32 targets [32,3] for logits [32,3], got i32[16]`],
    [`fit({ model, loss: mse, optimizer: adam(), params: model.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32]) }], epochs: 1 });`, `LossFor<Expr<[32, 1], "f32">, Expr<[32], "f32">>`, `mse: expected predictions and targets of one shape, got [32,1] and [32]`],
    [`const clf = sequential(dense(4, 8), reluLayer(), dense(8, 3));\nconst t = trainStep(clf, crossEntropy, adam());\nt.session(t.init(clf.init(key(0)))).step({ x: zeros([32, 4]), y: zeros([32]) });`, `trainStep: the loss does not take the model's output f32[32,3] and y f32[32]`],
    [`trainer.step(trainer.init(model.init(key(0))), { x: zeros([32, 4]), y: zeros([32]) });`, `trainStep: the loss does not take the model's output f32[32,1] and y f32[32]`],
    [`const clf = sequential(dense(4, 8), reluLayer(), dense(8, 3));\nfit({ model: clf, loss: (p, t) => crossEntropy(p, t, "sum"), optimizer: adam(), params: clf.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32]) }], epochs: 1 });`, `crossEntropy: expected i32 labels [32] or f32 targets [32,3] for logits [32,3], got f32[32]`],
    [`const clf = sequential(dense(4, 8), reluLayer(), dense(8, 3));\nconst data = () => [{ x: zeros([32, 4]), y: zeros([32], "i32") }, { x: zeros([8, 4]), y: zeros([8]) }];\nfit({ model: clf, loss: crossEntropy, optimizer: adam(), params: clf.init(key(0)), data, epochs: 1 });`, `LossFor<Expr<[8, 3], "f32">, Expr<[8], "f32">>`, `crossEntropy: expected i32 labels [8] or f32 targets [8,3] for logits [8,3], got f32[8]`],
    [`evaluateModel(model, { params: model.init(key(0)), state: {} }, [{ x: zeros([32, 4]), y: zeros([32]) }], { loss: crossEntropy });`, `LossFor<Expr<[32, 1], "f32">, Expr<[32], "f32">>`, `crossEntropy: expected i32 labels [32] or f32 targets [32,1] for logits [32,1], got f32[32]`],
  ],
  "15 optimiser state and parameter tree": [
    [`trainer.init(sequential(dense(4, 16), reluLayer(), dense(16, 1)).init(key(0)));`, `trainStep: params: 0.weight is [16,4] where the model has [8,4]`],
    [`const ts = trainStep(model, mse, sgd({ lr: 0.1 })).init(model.init(key(0)));\ntrainer.session(ts);`, `trainStep: ts.opt.exp_avg is missing`],
    [`const ts = trainer.init(model.init(key(0)));\nconst opt = adam().init(dense(4, 8).init(key(0)));\ntrainer.step({ ...ts, opt }, { x: zeros([2, 4]), y: zeros([2, 1]) });`, `trainStep: ts.opt.exp_avg.`],
    [`const wide = sequential(dense(4, 16), reluLayer(), dense(16, 1));\npredict(model, { params: wide.init(key(0)), state: {} }, zeros([2, 4]));`, `predict: params.0.weight is [16,4] where the model has [8,4]`],
    [`evaluateModel(model, { params: dense(4, 1).init(key(0)), state: {} }, [{ x: zeros([2, 4]), y: zeros([2, 1]) }]);`, `evaluateModel: params.0 is missing`],
    [`const other = sequential(dense(4, 16), reluLayer(), dense(16, 1));\nconst ts = trainStep(other, mse, adam()).init(other.init(key(0)));\nfit({ model, loss: mse, optimizer: adam(), ts, data: () => [], epochs: 1 });`, `fit: ts.params.0.weight is [16,4] where the model has [8,4]`],
    // In a generic helper a type parameter against a literal stays open: the first line holds the op and the paths with both shapes.
    [`export const other = <const H extends number>(h: H) => { const m = sequential(dense(4, h), reluLayer(), dense(h, 1)); return trainStep(m, mse, adam()).init(sequential(dense(4, 16), reluLayer(), dense(16, 1)).init(key(0))); };`, "trainStep: params: ${", "0.weight is [16,4] where the model has [${H},4]"],
    [`export const wide = <const H extends number>(h: H) => { const m = sequential(dense(4, h), reluLayer(), dense(h, 1)); return fit({ model: m, loss: mse, optimizer: adam(), params: sequential(dense(4, h), reluLayer(), dense(h, 2)).init(key(0)), data: () => [], epochs: 1 }); };`, "fit: params: 2.weight is [2,${H}] where the model has [1,${H}]"],
  ],
  "16 a tensor of the wrong shape bound to a program": [
    [`const f = compile({ x }, { y: sum(x) });\nf.run({ x: zeros([32, 785]) });`, `run: \\"x\\" is f32[batch,784], got [32,785]`],
    [`const w = input("w", [784, 10]);\nconst f = compile({ x, w }, { y: matmul(x, w) });\nf.set("w", zeros([10, 784]));`, `set: \\"w\\" is f32[784,10], got f32[10,784]`],
    [`const f = compile({ x }, { y: relu(x) });\nf.set("x", zeros([4, 784], "f64"));`, `set: \\"x\\" is f32[batch,784], got f64[4,784]`],
    [`const f = compile({ x }, { y: relu(x) });\nf.run({ x: zeros([4, 784]) });\nf.get("y", new Float64Array(4 * 784));`, `get: \\"y\\" is f32[batch,784], got a typed array of another dtype`],
    [`export const relu784 = <B extends Dim>(v: Expr<[B, 784]>) => compile({ v }, { y: relu(v) }).run({ v: zeros([32, 785]) });`, "run: \"v\" is [${B},784], got [32,785]"],
    [`export const set784 = <B extends Dim>(v: Expr<[B, 784], "f32">) => compile({ v }, { y: relu(v) }).set("v", zeros([3, 784], "f64"));`, "set: \"v\" is f32[${B},784], got f64[3,784]"],
  ],
  "17 symbolic dimensions confused": [
    [`add(input("h", ["batch", "hidden"]), input("b", ["batch", "features"]));`, `add: cannot broadcast [batch,hidden] with [batch,features]`],
    [`matmul(input("a", ["batch", "hidden"]), input("w", ["batch", 10]));`, `matmul: expected inner dimensions to match, got [batch,hidden] and [batch,10]`],
    [`const scores = input("s", ["batch", 10]);\nconst targets = input("y", ["time"], "i32");\ncrossEntropy(scores, targets);`, `crossEntropy: expected i32 labels [batch] or f32 targets [batch,10] for logits [batch,10], got i32[time]`],
    [`export const proj = <B extends Dim>(h: Expr<[B, "hidden"]>) => add(h, input("b", ["features"]));`, "add: cannot broadcast [${B},hidden] with [features]"],
    // Two type parameters cannot be shown equal inside the helper: rejected, naming the op and both shapes.
    [`export const mix = <B extends Dim, C extends Dim>(a: Expr<[B, 4]>, b: Expr<[C, 4]>) => add(a, b);`, "add: cannot broadcast [${B},4] with [${C},4]"],
    [`export const lin = <B extends Dim, H extends Dim, K extends Dim>(h: Expr<[B, H]>, w: Expr<[K, 10]>) => matmul(h, w);`, "matmul: expected inner dimensions to match, got [${B},${H}] and [${K},10]"],
    [`export const ce = <B extends Dim, C extends Dim>(l: Expr<[B, 10], "f32">, y: Expr<[C], "i32">) => crossEntropy(l, y);`, "crossEntropy: expected i32 labels [${B}] or f32 targets [${B},10] for logits [${B},10], got i32[${C}]"],
    [`export const pair = <B extends Dim, C extends Dim>(p: Expr<[B, 1], "f32">, t: Expr<[C, 1], "f32">) => mse(p, t);`, "mse: expected predictions and targets of one shape, got [${B},1] and [${C},1]"],
  ],
};

/** Valid counterparts of the mistakes above, and the generic code that must compile. */
const valid = `
matmul(x, input("w", [784, 128]));
matmul(input("h", ["batch", "hidden"]), input("w", ["hidden", 10]));
export const layer = <B extends Dim>(h: Expr<[B, 784]>): Expr<[B, 10], "f32"> => matmul(h, input("w", [784, 10]));
add(input("a", [3, 4]), input("b", [1, 4]));
export const bias = <B extends Dim>(h: Expr<[B, 128]>) => add(h, input("b", [128]));
const hiddenOut = <B extends Dim>(v: Expr<[B, 784]>): Expr<[B, 128]> => relu(add(matmul(v, input("w1", [784, 128])), input("b1", [128])));
export const openDType = add(input("b0", [128]), hiddenOut(x));
// An Expr whose dtype is left open (Expr<[B, 10]>) is accepted by every op and checked when the node is built.
export const openDTypeOps = <B extends Dim>(o: Expr<[B, 10]>, f: Expr<[B, 10], "f32">, w: Expr<[10, 3]>, y: Expr<[B], "i32">, v: Expr<[10]>) => [
  softmax(o), logSoftmax(o, 1), logSumExp(o, -1), exp(o), tanh(o), relu(o), add(o, v), add(f, o), add(o, f), mul(o, 2), sub(o, mean(o, 1, true)),
  matmul(o, w), matmul(f, w), where(less(o, 0), f, o), where(less(o, 0), o, f), where(less(o, 0), o, 0), concat([o, f], 1), reshape(o, [o.shape[0], 2, 5]),
  transpose(o), slice(o, 1, 0, 5), sum(o, 1), max(o, 1), variance(o, 1), cast(o, "f64"), grad(sum(o), [o]),
  mse(o, f), mse(f, o), crossEntropy(o, y), crossEntropy(o, f), binaryCrossEntropy(o, f), softmax(hiddenOut(x)), crossEntropy(hiddenOut(x), labels),
];
reshape(x, ["batch", 28, 28]);
export const flatten = <B extends Dim>(i: Expr<[B, 28, 28]>): Expr<[B, 784]> => reshape(i, [i.shape[0], 784]);
concat([input("a", [3, 4]), input("b", [5, 4])], 0);
export const join = <B extends Dim>(a: Expr<[B, 4]>, b: Expr<[B, 5]>) => concat([a, b], 1);
mean(input("t", [2, 3, 4]), [1, 2]);
export const m34 = input("m34", [3, 4]);
export const t43: Expr<[4, 3]> = transpose(m34);
export const swap = <B extends Dim>(h: Expr<[B, 4, 5]>): Expr<[B, 5, 4]> => transpose(h, [0, 2, 1]);
slice(x, 1, 0, 784);
export const probs = <B extends Dim>(l: Expr<[B, 10], "f32">) => softmax(l, 1);
export const dx: Expr<["batch", 784], "f32"> = grad(sum(mul(x, x)), [x])[0];
export const df = grad((v: Expr<[3], "f32">) => sum(mul(v, v)));
export const loss: Expr<[], "f32"> = crossEntropy(logits, labels);
export const perSample: Expr<["batch"], "f32"> = crossEntropy(logits, labels, "none");
mse(input("p", ["batch", 1]), input("q", ["batch", 1]));
export const classifier = <const H extends number>(h: H) => sequential(dense(784, h), reluLayer(), dense(h, 10));
export const block = <const D extends number, const H extends number>(d: D, h: H) => residual(sequential(named("fc1", dense(d, h)), reluLayer(), named("fc2", dense(h, d))));
export const c64: { weight: Tensor<[64, 784]>; bias: Tensor<[64]> } = classifier(64).init(key(0))["0"];
export const b8: Tensor<[32, 8]> = block(8, 32).init(key(0)).fc1.weight;
residual(dense(4, 8), named("shortcut", dense(4, 8)));
const ts = trainer.init(model.init(key(0)));
export const moment: Tensor<[8, 4]> = ts.opt.exp_avg["0"].weight;
trainer.step(ts, { x: zeros([2, 4]), y: zeros([2, 1]) });
export const yhat: Tensor<[32, 1]> = predict(model, { params: model.init(key(0)), state: {} }, zeros([32, 4]));
const f = compile({ x }, { y: relu(x) });
export const out: Tensor<[number, 784], "f32"> = f.run({ x: zeros([32, 784]) }).y;
f.set("x", zeros([4, 784])).get("y", new Float32Array(4 * 784));
add(input("h", ["batch", "hidden"]), input("b", ["hidden"]));
// Generic training and programs: a tree, a state or a binding whose shapes are the same type parameters is accepted.
export const genericFit = <const H extends number>(h: H) => {
  const m = sequential(dense(4, h), reluLayer(), dense(h, 1));
  const t = trainStep(m, mse, adam());
  const state = t.init(m.init(key(0)));
  t.session(state).step({ x: zeros([2, 4]), y: zeros([2, 1]) });
  t.step(state, { x: zeros([2, 4]), y: zeros([2, 1]) });
  return fit({ model: m, loss: mse, optimizer: adam(), params: m.init(key(0)), data: () => [{ x: zeros([2, 4]), y: zeros([2, 1]) }], epochs: 1 });
};
// A helper generic over the whole model (its trees are type parameters P and B).
export function trainAny<I extends Shape, O extends Shape, P extends Params, B extends Params>(m: Layer<I, O, P, B>, data: Batch[]) {
  const t = trainStep(m, mse, adam());
  const ts = t.init(m.init(key(0)));
  t.session(ts);
  predict(m, ts, (data[0] as Batch).x);
  evaluateModel(m, { params: m.init(key(0)), state: m.initState() }, data, { loss: mse });
  fit({ model: m, loss: mse, optimizer: adam(), ts, data: () => data, epochs: 1 });
  return fit({ model: m, loss: mse, optimizer: adam(), params: m.init(key(0)), data: () => data, epochs: 1 });
}
const clf = sequential(dense(4, 8), reluLayer(), dense(8, 3));
export const fitted = [
  fit({ model: clf, loss: crossEntropy, optimizer: adam(), params: clf.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32], "i32") }], epochs: 1 }),
  fit({ model: clf, loss: crossEntropy, optimizer: adam(), params: clf.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32, 3]) }], epochs: 1 }),
  fit({ model: clf, loss: (p, t) => crossEntropy(p, t, "sum"), optimizer: adam(), params: clf.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32], "i32") }], epochs: 1 }),
  fit({ model, loss: mse, optimizer: adam(), params: model.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32, 1]) }], epochs: 1 }),
  fit({ model, loss: mse, optimizer: adam(), params: model.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32, 1]) }], validation: () => [{ x: zeros([8, 4]), y: zeros([8, 1]) }], epochs: 1 }),
  // Batches of several literal sizes in one epoch (a last, shorter batch).
  fit({ model: clf, loss: crossEntropy, optimizer: adam(), params: clf.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32], "i32") }, { x: zeros([8, 4]), y: zeros([8], "i32") }], epochs: 1 }),
];
// A user's own typed loss, generic or not.
const sse = <S extends Dim[]>(p: Expr<S, "f32">, t: Expr<S, "f32">) => sum(mul(sub(p, t), sub(p, t)));
const column = <B extends Dim>(p: Expr<[B, 1], "f32">, t: Expr<[B, 1], "f32">) => mean(mul(sub(p, t), sub(p, t)));
export const ownLosses = [sse, column].map((loss) => fit({ model, loss, optimizer: adam(), params: model.init(key(0)), data: () => [{ x: zeros([32, 4]), y: zeros([32, 1]) }], epochs: 1 }));
const ownStep = trainStep(model, column, adam());
const lambdaStep = trainStep(model, (p, t) => mse(p, t, "sum"), adam());
export const stepped = [ownStep.session(ownStep.init(model.init(key(0)))).step({ x: zeros([2, 4]), y: zeros([2, 1]) }), lambdaStep.session(lambdaStep.init(model.init(key(0)))).step({ x: zeros([2, 4]), y: zeros([2, 1]) })];
export const evaluated = evaluateModel(clf, { params: clf.init(key(0)), state: {} }, [{ x: zeros([32, 4]), y: zeros([32], "i32") }, { x: zeros([8, 4]), y: zeros([8], "i32") }], { loss: crossEntropy });
export const genericRun = <B extends Dim>(v: Expr<[B, 784], "f32">, t: Tensor<[B, 784], "f32">) => compile({ v }, { y: relu(v) }).set("v", t).run({ v: t }).y;
export const picked: Expr<["batch", 784], "f32">[] = [where(less(x, 0), x, 0), where(less(x, 0), 0, x), where(less(x, 0), x, input("z", [784])), where(input("c", [784], "bool"), x, x)];
export const genericWhere = <B extends Dim, D extends "f32" | "f64">(c: Expr<[B, 10], "bool">, a: Expr<[B, 10], D>, b: Expr<[10], D>): Expr<[B, 10], D> => where(c, a, b);
export const genericShapeWhere = <S extends Dim[]>(c: Expr<S, "bool">, a: Expr<S, "f32">): Expr<S, "f32">[] => [where(c, a, 0), where(c, 0, a), where(c, a, a)];
export const genericSoftmax = <B extends Dim, D extends "f32" | "f64">(l: Expr<[B, 10], D>): Expr<[B, 10], D>[] => [logSoftmax(l, 1), softmax(l), exp(l), tanh(l)];
export const probs4: Expr<["batch", 1], "f32"> = pipe(input("x4", ["batch", 4]), bind(model, constants(model.init(key(0))), { mode: "eval" }), softmax);
`;

const cases = Object.entries(classes).flatMap(([name, list]) =>
  list.map(([code, message, detail], i) => ({ name, message, detail, source: { name: `mistake-${name.split(" ")[0]}-${i}.ts`, text: `import { ${exportsOf()} } from "./mistakes-prelude.js";\n${code}\n` } })),
);
function exportsOf(): string {
  const names = [...header.matchAll(/^export \{ ([^}]*) \}/gm)].flatMap(([, list]) => (list ?? "").split(",").map((s) => s.trim()));
  const types = [...header.matchAll(/^export type \{ ([^}]*) \}/gm)].flatMap(([, list]) => (list ?? "").split(",").map((s) => `type ${s.trim()}`));
  return [...names, ...types].join(", ");
}
const prelude: Source = { name: "mistakes-prelude.ts", text: header };
const validSource: Source = { name: "mistakes-valid.ts", text: `import { ${exportsOf()} } from "./mistakes-prelude.js";\n${valid}` };

let result: CheckResult;
beforeAll(() => {
  result = typecheck([prelude, validSource, ...cases.map((c) => c.source)]);
}, 120_000);

describe("shape mistakes are type errors whose first line names the op and the shapes", () => {
  it("has at least three mistakes for each of the 17 classes", () => {
    expect(Object.keys(classes)).toHaveLength(17);
    for (const list of Object.values(classes)) expect(list.length).toBeGreaterThanOrEqual(3);
  });

  it("compiles the valid counterparts and generic code cleanly", () => {
    expect(result.diagnostics[prelude.name]).toEqual([]);
    expect(result.diagnostics[validSource.name]).toEqual([]);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.source.text.split("\n").slice(1).join(" ").trim()}`, () => {
      const found = result.diagnostics[c.source.name] ?? [];
      expect(found).toHaveLength(1);
      const firstLine = (found[0] ?? "").split("\n")[0] ?? "";
      expect(firstLine).toContain(c.message);
      if (c.detail !== undefined) expect(found[0]).toContain(c.detail);
      expect(firstLine).not.toContain("No overload matches");
    });
  }
});
