import { type Tensor, compile, input } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { type Optimizer, type Params, adam, adamw, flatten, mapTree, rmsprop, sgd } from "../src/index.js";
import { type Stored, expectClose, fixture, fromStored } from "./torch.js";

interface Run {
  name: string;
  optimizer: "SGD" | "Adam" | "AdamW" | "RMSprop";
  hyperparameters: Record<string, number | boolean | number[]>;
  params_after_each_step: Stored;
  final_state: Record<string, Stored | number>;
}
const ref = fixture<{ initial_param: Stored; grads: Stored; runs: Run[] }>("optimizers.json");

function optimizerFor(run: Run): Optimizer {
  const h = run.hyperparameters as { [k: string]: number } & { nesterov: boolean; amsgrad: boolean; centered: boolean; betas: [number, number] };
  const num = (k: string): number => h[k] as number;
  switch (run.optimizer) {
    case "SGD":
      return sgd({ lr: num("lr"), momentum: num("momentum"), dampening: num("dampening"), nesterov: h.nesterov, weightDecay: num("weight_decay") });
    case "Adam":
      return adam({ lr: num("lr"), betas: h.betas, eps: num("eps"), weightDecay: num("weight_decay"), amsgrad: h.amsgrad });
    case "AdamW":
      return adamw({ lr: num("lr"), betas: h.betas, eps: num("eps"), weightDecay: num("weight_decay"), amsgrad: h.amsgrad });
    case "RMSprop":
      return rmsprop({ lr: num("lr"), alpha: num("alpha"), eps: num("eps"), weightDecay: num("weight_decay"), momentum: num("momentum"), centered: h.centered });
  }
}

/** Runs `steps` updates of one f64 parameter vector with the stored gradients. */
function trajectory(opt: Optimizer, p0: Tensor, grads: Tensor[]): { params: Tensor[]; state: Record<string, Tensor> } {
  const p = input("p", p0.shape, "f64");
  const g = input("g", p0.shape, "f64");
  let state: Params = opt.init({ p: p0 });
  const stateVars = mapTree(state, (t, path) => input(`s:${path}`, t.shape, t.dtype));
  const next = opt.update({ p: g }, stateVars, { p });
  const stateOut = Object.fromEntries(Object.entries(flatten(next.state)).map(([k, e]) => [`next:${k}`, e]));
  const stateIn = Object.fromEntries(Object.entries(flatten(stateVars)).map(([k, e]) => [`s:${k}`, e]));
  const runner = compile<string, string>({ p, g, ...stateIn }, { pNext: next.params.p as typeof p, ...stateOut }, { backend: "js" });
  const params: Tensor[] = [];
  let current = p0;
  for (const gt of grads) {
    const bound = Object.fromEntries(Object.entries(flatten(state)).map(([k, t]) => [`s:${k}`, t]));
    const out: Record<string, Tensor> = runner.run({ p: current, g: gt, ...bound });
    current = out.pNext as Tensor;
    state = mapTree(state, (_t, path) => out[`next:${path}`] as Tensor);
    params.push(current);
  }
  return { params, state: flatten(state) };
}

describe("optimisers match torch.optim over 5 steps (float64)", () => {
  const p0 = fromStored(ref.initial_param);
  const gAll = fromStored(ref.grads);
  const grads = [0, 1, 2, 3, 4].map((i) => fromStored({ shape: [6], data: Array.from(gAll.data.subarray(i * 6, i * 6 + 6)) }));
  for (const run of ref.runs) {
    it(run.name, () => {
      const { params, state } = trajectory(optimizerFor(run), p0, grads);
      const expected = run.params_after_each_step.data;
      params.forEach((p, i) => {
        const want = expected.slice(i * 6, i * 6 + 6);
        expectClose(p, want, 1e-12, 1e-14, `step ${i + 1}`);
        expectClose(
          Array.from(p.data, (x, j) => x - (p0.data[j] as number)),
          want.map((x, j) => x - (p0.data[j] as number)),
          1e-9,
          1e-15,
          `displacement after step ${i + 1}`,
        );
      });
      for (const [name, value] of Object.entries(run.final_state)) {
        if (typeof value === "number") expect((state.step as Tensor).item(), name).toBe(value);
        else if (name in { momentum_buffer: 0, exp_avg: 0, exp_avg_sq: 0, max_exp_avg_sq: 0, square_avg: 0, grad_avg: 0 } && `${name}.p` in state)
          expectClose(state[`${name}.p`] as Tensor, value, 1e-10, 1e-14, name);
      }
    });
  }
});
