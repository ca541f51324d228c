/**
 * Thrown when a graph or model cannot be exported: `<function>: expected <constraint>, got
 * <actual>` plus a hint, like core's errors. `op` names the first primitive without an ONNX
 * counterpart, when that is the cause.
 */
export class OnnxExportError extends Error {
  override name = "OnnxExportError";
  constructor(
    fn: string,
    expected: string,
    got: string,
    hint?: string,
    readonly op?: string,
  ) {
    super(`${fn}: expected ${expected}, got ${got}${hint ? `. ${hint}` : ""}`);
  }
}
