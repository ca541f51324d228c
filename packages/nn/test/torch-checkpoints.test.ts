// Files written by PyTorch's safetensors writer load into the matching typegrad models and
// reproduce PyTorch's evaluation-mode outputs (fixtures/torch-checkpoints/README.md).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type FloatDType, key, tensor } from "@typegrad/core";
import { describe, expect, it } from "vitest";
import { type Layer, batchNorm, flatten, dense, dropout, loadCheckpointOrThrow, named, predict, relu, residual, sequential, sigmoid, tanh } from "../src/index.js";
import { expectClose } from "./torch.js";

interface Case {
  readonly name: "seed-net" | "mlp-bn-dropout" | "residual";
  readonly dtype: FloatDType;
  readonly file: string;
  readonly state_dict: Record<string, { dtype: string; shape: number[] }>;
  readonly input: number[][];
  readonly output_eval: number[][];
}

const dir = new URL("./fixtures/torch-checkpoints/", import.meta.url);
const { cases } = JSON.parse(readFileSync(new URL("checkpoints.json", dir), "utf8")) as { cases: Case[] };

const block = (w: number, h: number) => residual(sequential(named("fc1", dense(w, h)), relu(), named("fc2", dense(h, w))));

/** The typegrad model of each PyTorch architecture. */
const MODELS: { readonly [K in Case["name"]]: () => Layer } = {
  "seed-net": () => sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1)),
  "mlp-bn-dropout": () => sequential(dense(4, 8), batchNorm(8), relu(), dropout(0.5), dense(8, 8), tanh(), dense(8, 3)),
  residual: () => sequential(block(4, 8), block(4, 10), dense(4, 3)),
};

const RTOL: { readonly [D in FloatDType]: number } = { f32: 1e-6, f64: 1e-12 };

describe.each(cases)("PyTorch's $name ($dtype) checkpoint", (c) => {
  it("loads into the typegrad model and reproduces PyTorch's outputs", async () => {
    const model = MODELS[c.name]();
    const like = { params: model.init(key(0), c.dtype), state: model.initState(c.dtype) };
    const loaded = await loadCheckpointOrThrow(fileURLToPath(new URL(c.file, dir)), like);
    expect(loaded.metadata).toEqual({ format: "pt" });
    // The I64 step counter of batch norm arrives as i32 with PyTorch's value (25 training steps).
    if (c.name === "mlp-bn-dropout") {
      const counter = flatten(loaded.state)["1.num_batches_tracked"];
      expect(counter?.dtype).toBe("i32");
      expect(Array.from(counter?.data ?? [])).toEqual([25]);
    }
    const x = tensor(c.input.flat(), { shape: [c.input.length, c.input[0]?.length ?? 0], dtype: c.dtype });
    const y = predict(model, loaded, x);
    expect(y.dtype).toBe(c.dtype);
    expectClose(y, { shape: [c.output_eval.length, c.output_eval[0]?.length ?? 0], data: c.output_eval.flat() }, RTOL[c.dtype], 0, c.file);
  });
});
