export { type DType, type FloatDType, type ArrayFor } from "./tensor/dtype.js";
export { Tensor, tensor, zeros, ones, full, arange, linspace, eye, type NestedArray } from "./tensor/tensor.js";
export { type Dim, type Shape, type ConcreteShape, ShapeError, ValueError } from "./shape/shape.js";
export { type Key, key, split, foldIn, permutation } from "./random/key.js";
