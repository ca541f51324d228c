// @typegrad/core: re-exports only. The folders follow the pipeline:
// tensor → shape → graph → ops → math → autodiff → simplify → print → compile → backends.
export { type DType, type FloatDType, type ArrayFor } from "./tensor/dtype.js";
export { Tensor, tensor, zeros, ones, full, arange, linspace, eye, type NestedArray } from "./tensor/tensor.js";
export type { Batch } from "./tensor/batch.js";
export { type Dim, type Shape, type ConcreteShape, ShapeError, ValueError, guard, sameShape, showShape, sizeOf } from "./shape/shape.js";
export type {
  Broadcast,
  ShapeMismatch,
  ShapeMismatchUnless,
  ShapeMismatchOf,
  Mutable,
  Agree,
  AllAgree,
  IsTuple,
  ShowShape,
  OperandShape,
  OperandDType,
  DTypeAgree,
  BinaryCheck,
  BroadcastCheck,
  SameShapeCheck,
  ScalarCheck,
} from "./shape/types.js";
export { Expr, type AnyExpr, isOp } from "./graph/expr.js";
export { checkTensor, checkExpr, describe as describeValue } from "./graph/check.js";
export type { Primitive, PrintForm, Role, Sampler, TestCase, InputSpec, Traits } from "./graph/primitive.js";
export { topoSort, inputsOf } from "./graph/topo.js";
export { primitives, type OpName, type OpParams } from "./ops/index.js";

export { input } from "./ops/input.js";
export { constant, scalar } from "./ops/constant.js";
export { neg } from "./ops/neg.js";
export { exp } from "./ops/exp.js";
export { log } from "./ops/log.js";
export { sqrt } from "./ops/sqrt.js";
export { reciprocal } from "./ops/reciprocal.js";
export { sigmoid } from "./ops/sigmoid.js";
export { tanh } from "./ops/tanh.js";
export { abs } from "./ops/abs.js";
export { sign } from "./ops/sign.js";
export { sin } from "./ops/sin.js";
export { cos } from "./ops/cos.js";
export { stopGradient } from "./ops/stopGradient.js";
export { add } from "./ops/add.js";
export { mul } from "./ops/mul.js";
export { pow } from "./ops/pow.js";
export { maximum } from "./ops/maximum.js";
export { minimum } from "./ops/minimum.js";
export { less, lessEqual, greater, greaterEqual, equal, notEqual } from "./ops/compare.js";
export { where } from "./ops/where.js";
export { sum } from "./ops/sum.js";
export { max } from "./ops/max.js";
export { reshape } from "./ops/reshape.js";
export { broadcastTo } from "./ops/broadcast.js";
export { transpose } from "./ops/transpose.js";
export { slice } from "./ops/slice.js";
export { concat } from "./ops/concat.js";
export { take } from "./ops/take.js";
export { matmul } from "./ops/matmul.js";
export { cast } from "./ops/cast.js";
export { randomBits } from "./ops/randomBits.js";

export { sub, div, square } from "./math/arithmetic.js";
export { mean, variance } from "./math/reductions.js";
export { relu, leakyRelu, log1p, softplus, gelu, clip } from "./math/activations.js";
export { logSumExp, logSoftmax, softmax, oneHot } from "./math/softmax.js";
export { composites, type Composite } from "./math/index.js";

export { grad, vjp, valueAndGrad, hvp, jacobian, hessian } from "./autodiff/grad.js";
export { simplify } from "./simplify/simplify.js";
export { print, printLatex, type PrintOptions } from "./print/print.js";
export { printDot } from "./print/dot.js";
export { evaluate, type Bindings, type ValueOf } from "./graph/evaluate.js";

export { type Key, key, split, foldIn, permutation } from "./random/key.js";
export { uniform, normal, bernoulli, dropoutMask } from "./random/sample.js";

export { compile } from "./compile/compile.js";
export { Program, type Backend, type CompileOptions, type Data, type Executable } from "./compile/program.js";
export { features as wasmFeatures } from "./backends/wasm/features.js";
export { BackendError } from "./backends/errors.js";
