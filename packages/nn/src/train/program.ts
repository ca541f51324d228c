// The one place where nn runs graphs. A Runner evaluates named outputs from named inputs; today
// it is core's reference interpreter, and the same interface is what a compiled Program offers
// (inputs and outputs by name, state donated so parameters update in place).
import { type Expr, type Tensor, evaluate, inputsOf } from "@typegrad/core";

/** Runs a fixed set of output expressions on tensors bound to input names. */
export interface Runner {
  readonly run: (bindings: Readonly<Record<string, Tensor>>) => Record<string, Tensor>;
}

/** Options of `makeRunner`. */
export interface RunnerOptions {
  /** Inputs whose buffers the program may overwrite with outputs (parameters, moments). */
  readonly donate?: readonly string[];
}

/**
 * A runner for `outputs` (by name). Bindings for inputs the graph does not use are ignored, so
 * callers may pass a key to a model without dropout.
 */
export function makeRunner(outputs: Readonly<Record<string, Expr>>, _options: RunnerOptions = {}): Runner {
  const names = Object.keys(outputs);
  const roots = names.map((n) => outputs[n] as Expr);
  const used = [...inputsOf(roots).keys()];
  return {
    run: (bindings) => {
      const bound: Record<string, Tensor> = {};
      for (const name of used) {
        const t = bindings[name];
        if (t !== undefined) bound[name] = t;
      }
      const values = evaluate(roots, bound);
      const out: Record<string, Tensor> = {};
      names.forEach((n, i) => (out[n] = values[i] as Tensor));
      return out;
    },
  };
}
