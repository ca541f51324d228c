// @typegrad/core/testing: gradient checks and fast-check arbitraries for testing code built on
// typegrad. fast-check is an optional peer dependency, needed only by this entry point.
export { gradcheck, assertGradients, describeReport, GradcheckError, type GradcheckOptions, type GradcheckReport, type GradcheckEntry } from "./gradcheck.js";
export {
  shapeArbitrary,
  broadcastShapesArbitrary,
  tensorArbitrary,
  inputsArbitrary,
  samplerOf,
  caseArbitrary,
  type ShapeConstraints,
  type TensorOptions,
  type SampledCase,
} from "./arbitraries.js";
export { arbitraryExpr, type ExprArbitraryOptions, type RandomGraph } from "./exprArbitrary.js";
