// @typegrad/onnx: ONNX export of expression graphs and nn models.
export { OnnxExportError } from "./errors.js";
export { type ExportGraphOptions, OPSET, supportedOps, exportGraph } from "./exportGraph.js";
export { type ExportOnnxOptions, exportOnnx } from "./exportOnnx.js";
