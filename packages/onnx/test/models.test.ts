// exportOnnx on every layer kind and on the examples' models, run in ONNX Runtime and compared
// with typegrad's own predictions (the compiled path users run): f32 within 1e-5, f64 within
// 1e-12 (relative, floor 1). The batch dimension stays symbolic, so one file serves every batch size.
import { type FloatDType, Tensor, key, tensor } from "@typegrad/core";
import { loadMnistOrThrow } from "@typegrad/datasets";
import {
  type Layer, type Params, adam, batchNorm, crossEntropy, dense, dropout, fit, gelu, leakyRelu, loadCheckpointOrThrow, named, predict, relu, residual, sequential,
  sigmoid, softplus, tanh,
} from "@typegrad/nn";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { model as regressionModel, train as trainRegression } from "../../../examples/regression/regression.js";
import { OnnxExportError, exportOnnx } from "../src/index.js";
import { TOL, expectClose, randomTensor, runOnnx } from "./runtime.js";

/** Exports, runs in ONNX Runtime on each batch, and compares with `predict`. */
async function check(model: Layer, values: { params: Params; state?: Params }, batches: readonly Tensor[], dtype: FloatDType, features: readonly (number | string)[]) {
  const bytes = exportOnnx(model, values.params, { input: ["batch", ...features], ...(values.state ? { state: values.state } : {}) });
  for (const x of batches) {
    const { output } = await runOnnx(bytes, { input: x });
    const want = predict(model, { params: values.params, state: values.state ?? {} }, x);
    expectClose(output as Tensor, want, TOL[dtype], `batch of ${x.shape[0]}`);
  }
  return bytes;
}

const inputs = (dtype: FloatDType, features: readonly number[], seed = 7): Tensor[] =>
  [1, 5].map((n) => randomTensor([n, ...features], dtype, seed + n, -2, 2));

/** Running statistics away from their initial 0 and 1, so evaluation mode is really tested. */
function bnState(c: number, dtype: FloatDType, seed: number): Params {
  return {
    running_mean: randomTensor([c], dtype, seed),
    running_var: randomTensor([c], dtype, seed + 1, 0.5, 2),
    num_batches_tracked: tensor([3], { shape: [], dtype: "i32" }),
  };
}

describe.each(["f32", "f64"] as const)("exportOnnx in %s", (dtype) => {
  it("sequential of dense layers, every activation and dropout", async () => {
    const model = sequential(dense(6, 8), relu(), dropout(0.3), dense(8, 8), sigmoid(), dense(8, 8), tanh(), leakyRelu(0.1), gelu(), softplus(), dense(8, 3));
    const bytes = await check(model, { params: model.init(key(1), dtype) }, inputs(dtype, [6]), dtype, [6]);
    // Initializers carry PyTorch's state_dict names.
    const text = new TextDecoder("latin1").decode(bytes);
    for (const name of ["0.weight", "0.bias", "3.weight", "10.bias"]) expect(text).toContain(name);
  });

  it("dense without bias and in the in-out layout", async () => {
    const model = sequential(dense(5, 4, { bias: false }), relu(), dense(4, 2, { layout: "in-out" }));
    await check(model, { params: model.init(key(2), dtype) }, inputs(dtype, [5]), dtype, [5]);
  });

  it("batchNorm in evaluation mode, on [N, C] and [N, C, L]", async () => {
    const flat = sequential(dense(4, 6), batchNorm(6), relu(), dense(6, 2));
    await check(flat, { params: flat.init(key(3), dtype), state: { 1: bnState(6, dtype, 10) } }, inputs(dtype, [4]), dtype, [4]);
    const seq = batchNorm(3, { eps: 1e-3 });
    const params = { weight: randomTensor([3], dtype, 4), bias: randomTensor([3], dtype, 5) };
    await check(seq, { params, state: bnState(3, dtype, 20) }, inputs(dtype, [3, 5]), dtype, [3, 5]);
  });

  it("residual blocks, with and without a projection", async () => {
    const block = residual(sequential(named("fc1", dense(6, 12)), relu(), named("fc2", dense(12, 6))));
    const projected = residual(sequential(named("fc1", dense(6, 4)), tanh()), named("shortcut", dense(6, 4)));
    const model = sequential(block, relu(), projected, dense(4, 2));
    await check(model, { params: model.init(key(6), dtype) }, inputs(dtype, [6]), dtype, [6]);
  });
});

describe("the examples' models", () => {
  it("the regression example, trained briefly", async () => {
    const { ts } = trainRegression(3);
    const x = randomTensor([7, 1], "f32", 8, 0, 3);
    await check(regressionModel, ts, [x], "f32", [1]);
  });

  it("the MNIST example's 784-128-10 network, trained briefly on real digits (the offline ones datasets ships)", async () => {
    const { train, test } = await loadMnistOrThrow({ flatten: true, sources: ["embedded"] });
    const model = sequential(dense(784, 128), relu(), dense(128, 10));
    const images = train.images.data.subarray(0, 512 * 784);
    const labels = train.labels.data.subarray(0, 512);
    const { ts } = fit({
      model, loss: crossEntropy, optimizer: adam({ lr: 1e-3 }), params: model.init(key(0)), epochs: 1, progress: false,
      data: () => Array.from({ length: 4 }, (_, b) => ({
        x: new Tensor([128, 784], "f32", Float32Array.from(images.subarray(b * 128 * 784, (b + 1) * 128 * 784))),
        y: new Tensor([128], "i32", Int32Array.from(labels.subarray(b * 128, (b + 1) * 128))),
      })),
    });
    const x = new Tensor([64, 784], "f32", Float32Array.from(test.images.data.subarray(0, 64 * 784)));
    await check(model, ts, [x], "f32", [784]);
  });
});

// PyTorch → typegrad → ONNX: the checkpoints PyTorch wrote (nn's fixtures), exported and run in
// ONNX Runtime, reproduce PyTorch's own outputs.
describe("PyTorch-trained checkpoints, exported", () => {
  interface Case { name: string; dtype: FloatDType; file: string; input: number[][]; output_eval: number[][] }
  const dir = new URL("../../nn/test/fixtures/torch-checkpoints/", import.meta.url);
  const { cases } = JSON.parse(readFileSync(new URL("checkpoints.json", dir), "utf8")) as { cases: Case[] };
  const block = (w: number, h: number) => residual(sequential(named("fc1", dense(w, h)), relu(), named("fc2", dense(h, w))));
  const models: Record<string, () => Layer> = {
    "seed-net": () => sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1)),
    "mlp-bn-dropout": () => sequential(dense(4, 8), batchNorm(8), relu(), dropout(0.5), dense(8, 8), tanh(), dense(8, 3)),
    residual: () => sequential(block(4, 8), block(4, 10), dense(4, 3)),
  };
  it.each(cases)("$name ($dtype) matches PyTorch in ONNX Runtime", async (c) => {
    const model = (models[c.name] as () => Layer)();
    const values = await loadCheckpointOrThrow(fileURLToPath(new URL(c.file, dir)), { params: model.init(key(0), c.dtype), state: model.initState(c.dtype) });
    const bytes = exportOnnx(model, values.params, { input: ["batch", c.input[0]?.length ?? 0], state: values.state });
    const x = tensor(c.input.flat(), { shape: [c.input.length, c.input[0]?.length ?? 0], dtype: c.dtype });
    const { output } = await runOnnx(bytes, { input: x });
    expectClose(output as Tensor, tensor(c.output_eval.flat(), { shape: [c.output_eval.length, c.output_eval[0]?.length ?? 0], dtype: c.dtype }), TOL[c.dtype], c.file);
  });
});

describe("errors", () => {
  it("refuses an input name that is also a parameter's", () => {
    const model = sequential(dense(2, 2));
    expect(() => exportOnnx(model, model.init(key(0)), { input: ["batch", 2], inputName: "0.weight" })).toThrow(OnnxExportError);
  });
});
