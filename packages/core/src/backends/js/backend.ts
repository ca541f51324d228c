import type { Backend } from "../../compile/program.js";
import { ValueError } from "../../shape/shape.js";
import { copyStep, interpretStep } from "./interpret.js";

/** The reference interpreter as a backend: every node a step of its own, in double precision rounded to its dtype. */
export const jsBackend: Backend = {
  name: "js",
  lowering: { fuses: () => false, native: () => false, views: false },
  prepare: (plan, layout) => () => {
    const memory = new ArrayBuffer(layout.size);
    const steps = plan.steps.map((s) => {
      if (s.kind === "copy") return copyStep(s, layout, memory);
      if (s.kind === "interpret") return interpretStep(s, plan, layout, memory);
      throw new ValueError("compile", "only interpreted steps on the js backend", `a ${s.kind} step`);
    });
    return {
      memory,
      execute: () => {
        for (const step of steps) step();
      },
    };
  },
};
