// typegrad → PyTorch: checkpoints saved by typegrad load into the equivalent torch.nn.Sequential
// with scripts/typegrad_to_torch.py (NumPy and the safetensors layout; PyTorch when installed),
// which reproduces typegrad's outputs. Runs when a python3 with NumPy is on the machine and says
// so in the test names when it is not.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type FloatDType, type Tensor, key, tensor } from "@typegrad/core";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Layer, type Params, batchNorm, dense, dropout, gelu, leakyRelu, predict, relu, saveCheckpointOrThrow, saveSafetensors, orThrow, sequential,
  sigmoid, softplus, tanh,
} from "../src/index.js";

const SCRIPT = fileURLToPath(new URL("../../../scripts/typegrad_to_torch.py", import.meta.url));

const imports = (python: string, module: string): boolean => spawnSync(python, ["-c", `import ${module}`], { stdio: "ignore" }).status === 0;

/** A python3 with NumPy, preferring one that also has PyTorch (so the torch path runs where it can). */
function findPython(): { python: string; torch: boolean } | undefined {
  const withNumpy = ["python3", "/usr/bin/python3"].filter((p) => imports(p, "numpy"));
  const withTorch = withNumpy.find((p) => imports(p, "torch"));
  if (withTorch !== undefined) return { python: withTorch, torch: true };
  return withNumpy[0] === undefined ? undefined : { python: withNumpy[0], torch: false };
}

const found = findPython();
const dir = mkdtempSync(join(tmpdir(), "typegrad-to-torch-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function values(shape: readonly number[], dtype: FloatDType, seed: number, lo = -1, hi = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, (_, i) => lo + (hi - lo) * ((Math.sin(seed * 97 + i * 13.1) + 1) / 2)), { shape, dtype });
}

interface Spec {
  readonly name: string;
  readonly layers: readonly string[];
  readonly model: Layer;
  readonly state?: (dtype: FloatDType) => Params;
  readonly layout?: "in-out";
}

const SPECS: readonly Spec[] = [
  {
    name: "every layer kind",
    layers: ["linear", "batchnorm", "relu", "dropout:0.2", "linear", "tanh", "linear", "gelu", "linear", "softplus", "linear", "leakyrelu:0.2", "linear", "sigmoid"],
    model: sequential(dense(3, 5), batchNorm(5), relu(), dropout(0.2), dense(5, 4), tanh(), dense(4, 4), gelu(), dense(4, 4), softplus(), dense(4, 4), leakyRelu(0.2), dense(4, 2), sigmoid()),
    state: (dtype) => ({ 1: { running_mean: values([5], dtype, 1), running_var: values([5], dtype, 2, 0.5, 2), num_batches_tracked: tensor([7], { shape: [], dtype: "i32" }) } }),
  },
  { name: "the in-out layout", layers: ["linear", "relu", "linear"], model: sequential(dense(3, 4, { layout: "in-out" }), relu(), dense(4, 2, { layout: "in-out" })), layout: "in-out" },
];

/** Saves the model (layers in the config) and typegrad's outputs on a batch; returns the two paths. */
async function save(spec: Spec, dtype: FloatDType): Promise<{ model: string; io: string; output: Tensor; input: Tensor }> {
  const params = spec.model.init(key(3), dtype);
  const state = spec.state?.(dtype) ?? spec.model.initState(dtype);
  const base = join(dir, `${spec.name.replace(/\W/g, "-")}-${dtype}`);
  await saveCheckpointOrThrow(`${base}.safetensors`, { params, state }, { config: { layers: spec.layers } });
  const input = values([6, 3], dtype, 5, -2, 2);
  const output = predict(spec.model, { params, state }, input);
  await orThrow(saveSafetensors(`${base}-io.safetensors`, { input, output }));
  return { model: `${base}.safetensors`, io: `${base}-io.safetensors`, output, input };
}

const run = (python: string, args: readonly string[]) => spawnSync(python, [SCRIPT, ...args], { encoding: "utf8" });

const title = found
  ? `typegrad checkpoints in ${found.torch ? "PyTorch" : "NumPy (PyTorch not installed)"} through scripts/typegrad_to_torch.py (${found.python})`
  : "typegrad checkpoints in PyTorch: SKIPPED, no python3 with NumPy on this machine (apt-get install python3-numpy)";

describe.skipIf(found === undefined)(title, () => {
  const python = found?.python ?? "python3";
  const layoutArgs = (spec: Spec) => (spec.layout ? ["--layout", spec.layout] : []);

  // The NumPy forward pass on every case; PyTorch (a few seconds to import) on the largest one.
  describe.each(SPECS)("$name", (spec) => {
    it.each(["f32", "f64"] as const)("%s: the NumPy forward pass reproduces typegrad's outputs", async (dtype) => {
      const files = await save(spec, dtype);
      const r = run(python, [files.model, "--check", files.io, "--numpy", ...layoutArgs(spec)]);
      expect(r.stderr, r.stdout).toBe("");
      expect(r.status, r.stdout).toBe(0);
      expect(r.stdout).toMatch(/NumPy vs typegrad on 6 inputs: max relative error/);
    });
  });

  it.skipIf(!found?.torch)(`${found?.torch ? "" : "SKIPPED, PyTorch not installed: "}torch.nn.Sequential loads the checkpoint strictly and reproduces typegrad's outputs in f64`, async () => {
    const files = await save(SPECS[0] as Spec, "f64");
    const r = run(python, [files.model, "--check", files.io]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/torch\.nn\.Sequential\(/);
    expect(r.stdout).toMatch(/PyTorch vs typegrad on 6 inputs: max relative error/);
  });

  it("fails when the outputs disagree by more than the tolerance", async () => {
    const spec = SPECS[0] as Spec;
    const files = await save(spec, "f64");
    const wrong = join(dir, "wrong-io.safetensors");
    const shifted = tensor(Array.from(files.output.data, (v) => v + 1e-9), { shape: files.output.shape as number[], dtype: "f64" });
    await orThrow(saveSafetensors(wrong, { input: files.input, output: shifted }));
    const r = run(python, [files.model, "--check", wrong, "--numpy"]);
    expect(r.status, r.stdout).toBe(1);
    expect(r.stdout).toMatch(/max relative error 1\.\d+e-09 \(tolerance 1e-12\)/);
  });

  it("names the keys a wrong layer list cannot hold", async () => {
    const files = await save(SPECS[1] as Spec, "f32");
    const r = run(python, [files.model, "--layers", "linear,relu", "--numpy"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/keys that no linear or batchnorm layer of --layers holds: \['2\.bias', '2\.weight'\]/);
  });
});
