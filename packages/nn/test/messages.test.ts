// Errors name what the user called: a composite reports its own name rather than the primitive
// that noticed, run-time label errors name the loss or encoding, and wrong kinds of arguments
// are caught at the boundary with a hint.
import { add, compile, evaluate, exp, input, key, mean, oneHot, slice, softmax, sub, tensor, zeros } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { crossEntropy, dense, evaluateModel, fit, mse, predict, relu, sequential, sgd, stateDict, trainStep } from "../src/index.js";

const a = input("a", [2, 3]);
const logits = input("logits", [2, 3]);
const labels = input("labels", [2], "i32");

describe("messages name what the user called", () => {
  it("composites report their own names", () => {
    expect(() => sub(a, input("b", [4]) as never)).toThrow(/^sub: expected shapes that broadcast/);
    expect(() => mean(a, 5 as never)).toThrow("mean: expected an axis in [-2, 1], got 5");
    expect(() => softmax(a, 3 as never)).toThrow("softmax: expected an axis in [-2, 1], got 3");
  });

  it("crossEntropy asks for integer labels when given float ones", () => {
    expect(() => crossEntropy(logits, input("y", [2], "f32") as never)).toThrow(
      'crossEntropy: expected integer (i32) class labels of shape [2], or class probabilities of shape [2,3], got f32 [2]. cast(labels, "i32") if they hold class indices',
    );
  });

  it("a label out of range is reported by crossEntropy or oneHot, interpreted and compiled", () => {
    const bad = { logits: zeros([2, 3]), labels: tensor([0, 7], { dtype: "i32" }) };
    const want = "crossEntropy: expected class labels in [0, 3), got 7 at flat position 1";
    expect(() => evaluate(crossEntropy(logits, labels), bad)).toThrow(want);
    for (const backend of ["wasm", "js"] as const) expect(() => compile({ logits, labels }, { l: crossEntropy(logits, labels) }, { backend }).run(bad)).toThrow(want);
    expect(() => evaluate(oneHot(labels, 3), { labels: tensor([0, 3], { dtype: "i32" }) })).toThrow("oneHot: expected class labels in [0, 3), got 3 at flat position 1");
    expect(() => oneHot(input("y", [2], "f32") as never, 3)).toThrow("oneHot: expected integer (i32) class labels, got f32 labels");
  });

  it("slice reports the bounds as given", () => {
    expect(() => slice(a, 1, 0 as never, -5 as never)).toThrow("slice: expected integer bounds in [-3, 3] with start ≤ end on axis 1 of length 3, got start 0, end -5");
    expect(() => slice(a, 1, 2 as never, 1 as never)).toThrow("got start 2, end 1");
    expect(slice(a, 1, -2).shape).toEqual([2, 2]);
  });
});

describe("public arguments are checked at the boundary", () => {
  it("an array or a Tensor where an expression is expected", () => {
    expect(() => exp([1, 2] as never)).toThrow("exp: expected its operand to be an Expr, got an array of 2. make a node with constant(tensor(values))");
    expect(() => add(a, tensor([[1, 2, 3], [4, 5, 6]]) as never)).toThrow("add: expected operand 2 to be an Expr, got a Tensor f32[2,3]. wrap values as graph nodes with constant(t)");
    expect(() => mse(a, [1, 2] as never)).toThrow("mse: expected the targets to be an Expr, got an array of 2");
  });

  it("a model where parameters are expected", () => {
    const model = sequential(dense(2, 3), relu());
    expect(() => stateDict(model as never)).toThrow("params: expected a record of Tensors (or Exprs), got a model (a layer with init and apply). pass its parameters, model.init(key), instead");
    expect(() => stateDict({ 0: { weight: [1, 2] } } as never)).toThrow('params: expected a record of Tensors (or Exprs) at "0.weight", got an array of 2. wrap values with tensor(values)');
  });

  it("arrays where a batch's tensors are expected, and a parameter tree where { params, state } is", () => {
    const model = sequential(dense(2, 3), relu(), dense(3, 2));
    const params = model.init(key(0));
    const values = { params, state: {} };
    const arrays = { x: [[1, 2]], y: [0] } as never;
    const want = "trainStep: expected batch.x to be a Tensor, got an array of 1. make one with tensor(values)";
    const trainer = trainStep(model, crossEntropy, sgd({ lr: 0.1 }));
    expect(() => trainer.session(trainer.init(params)).step(arrays)).toThrow(want);
    expect(() => fit({ model, params, loss: crossEntropy, optimizer: sgd({ lr: 0.1 }), epochs: 1, data: () => [arrays], progress: false })).toThrow(want);
    expect(() => evaluateModel(model, values, [arrays], { loss: crossEntropy })).toThrow("evaluateModel: expected batch.x to be a Tensor, got an array of 1");
    expect(() => predict(model, values, [[1, 2]] as never)).toThrow("predict: expected x to be a Tensor, got an array of 1. make one with tensor(values)");
    expect(() => predict(model, params as never, tensor([[1, 2]]))).toThrow("predict: expected model values { params, state }, got an object with keys 0, 2. pass { params, state }");
  });
});
