import { compile, key, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import {
  type LearningRate, type Optimizer, adam, adamw, batchNorm, clipGradNorm, cosineDecay, crossEntropy, dense, dropout, exponentialDecay, relu, rmsprop, sequential, sgd,
  stepDecay, stepGraph, trainStep, warmup,
} from "../src/index.js";

const model = sequential(dense(3, 8), batchNorm(8), relu(), dropout(0.2), dense(8, 4));
const batch = { x: tensor(Float32Array.from({ length: 15 }, (_, i) => Math.sin(i)), { shape: [5, 3] }), y: tensor(Int32Array.of(0, 1, 2, 3, 1), { shape: [5] }) };

const schedules: Record<string, LearningRate> = {
  constant: 0.01,
  stepDecay: stepDecay(0.01, 10, 0.5),
  exponentialDecay: exponentialDecay(0.01, 0.99),
  cosineDecay: cosineDecay(0.01, 100),
  warmup: warmup(5, cosineDecay(0.01, 100)),
};

const optimizers: Record<string, (lr: LearningRate) => Optimizer> = {
  sgd: (lr) => sgd({ lr }),
  "sgd momentum": (lr) => sgd({ lr, momentum: 0.9, dampening: 0.1 }),
  "sgd nesterov, weight decay": (lr) => sgd({ lr, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }),
  adam: (lr) => adam({ lr }),
  "adam amsgrad, weight decay": (lr) => adam({ lr, amsgrad: true, weightDecay: 1e-4 }),
  adamw: (lr) => adamw({ lr }),
  rmsprop: (lr) => rmsprop({ lr }),
  "rmsprop centered, momentum": (lr) => rmsprop({ lr, centered: true, momentum: 0.9, weightDecay: 1e-4 }),
};

describe("a compiled training step (f32)", () => {
  for (const [name, make] of Object.entries(optimizers))
    it(`${name}: every step is a compiled kernel, with each schedule and with clipping`, () => {
      for (const [schedule, lr] of Object.entries(schedules))
        for (const clip of [false, true]) {
          const optimizer = clip ? clipGradNorm(make(lr), 1) : make(lr);
          const ts = trainStep(model, crossEntropy, optimizer).init(model.init(key(0)));
          const g = stepGraph(model, crossEntropy, optimizer, ts, batch);
          const described = compile(g.inputs, g.outputs, { donate: g.donate }).describe();
          expect(described, `${schedule}${clip ? ", clipped" : ""}`).not.toMatch(/interpreted/);
        }
    });
});
