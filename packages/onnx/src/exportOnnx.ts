// A model is exported by tracing: its evaluation-mode graph is built on a symbolic input, with
// every parameter and buffer as an input leaf named by its state_dict key, and that graph is
// lowered by exportGraph with the values as initializers. Whatever the layers compute — dense,
// activations, dropout (the identity in evaluation), batch norm with running statistics,
// residual and sequential blocks — is exported as the primitives it is made of.
import { type FloatDType, type Shape, type Tensor, input } from "@typegrad/core";
import { type Layer, type Params, flatten, mapTree } from "@typegrad/nn";
import { OnnxExportError } from "./errors.js";
import { exportGraph } from "./exportGraph.js";

/** Options of `exportOnnx`. */
export interface ExportOnnxOptions {
  /** The input's shape; a name such as "batch" stays a symbolic dimension of the ONNX input. */
  readonly input: Shape;
  /** Buffers of stateful layers (batch norm's running statistics), as `model.initState()` makes them. */
  readonly state?: Params;
  /** The input's dtype (default: the parameters' dtype, or f32 without parameters). */
  readonly dtype?: FloatDType;
  /** Names of the graph's input and output (default "input" and "output"). */
  readonly inputName?: string;
  readonly outputName?: string;
  /** A description stored in the model. */
  readonly docString?: string;
}

/**
 * The ONNX model (bytes, opset 21) of a layer in evaluation mode: one input of shape
 * `options.input` (symbolic dimensions stay symbolic), one output, and the parameters and buffers
 * as initializers named by their state_dict keys ("0.weight", "1.running_mean", …).
 * @example
 * const model = sequential(dense(784, 128), relu(), dropout(0.2), dense(128, 10));
 * const bytes = exportOnnx(model, model.init(key(0)), { input: ["batch", 784] });
 * await writeFile("model.onnx", bytes);
 */
export function exportOnnx(model: Layer, params: Params, options: ExportOnnxOptions): Uint8Array {
  const { state = {}, inputName = "input", outputName = "output" } = options;
  const values: Record<string, Tensor> = { ...flatten(params), ...flatten(state) };
  if (inputName in values || outputName === inputName)
    throw new OnnxExportError("exportOnnx", "input and output names distinct from each other and from the parameters", `"${inputName}" and "${outputName}"`);
  const dtype = options.dtype ?? floatDTypeOf(values);
  const leaf = (t: Tensor, path: string) => input(path, t.shape, t.dtype);
  const x = input(inputName, options.input, dtype);
  const { y } = model.call(mapTree(params, leaf), mapTree(state, leaf), x, { mode: "eval" });
  return exportGraph({ [inputName]: x }, { [outputName]: y }, { initializers: values, ...(options.docString === undefined ? {} : { docString: options.docString }) });
}

function floatDTypeOf(values: Readonly<Record<string, Tensor>>): FloatDType {
  const t = Object.values(values).find((v) => v.dtype === "f32" || v.dtype === "f64");
  return t?.dtype === "f64" ? "f64" : "f32";
}
