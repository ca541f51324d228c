// Validation of what training and evaluation are given: a batch of arrays, or a parameter tree
// where { params, state } is expected, gets a named error with a hint at the call, never a
// TypeError from inside a step. Checked where a new program is bound, so steady steps pay nothing.
import { type Batch, ValueError, checkTensor, describeValue } from "@typegrad/core";
import type { ModelValues } from "../checkpoint/stateDict.js";

/** Checks that `batch` is `{ x: Tensor, y: Tensor, … }`. */
export function checkBatch(batch: unknown, op: string): asserts batch is Batch {
  const { x, y } = (batch ?? {}) as { readonly x?: unknown; readonly y?: unknown };
  checkTensor(x, op, "batch.x");
  checkTensor(y, op, "batch.y");
}

/** Checks that `values` is `{ params, state }`, not a bare parameter tree or a model. */
export function checkValues(values: unknown, op: string): asserts values is ModelValues {
  const { params, state } = (values ?? {}) as Partial<ModelValues>;
  if (typeof params !== "object" || typeof state !== "object" || !params || !state) throw new ValueError(op, "model values { params, state }", describeValue(values), "pass { params, state }");
}
