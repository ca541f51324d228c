export { arbitraryExpr, type ExprArbitraryOptions, type RandomGraph } from "./exprArbitrary.js";
