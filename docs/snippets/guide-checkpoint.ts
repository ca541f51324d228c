import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { key, tensor } from "@typegrad/core";
import { dense, loadCheckpointOrThrow, loadSafetensors, orThrow, predict, saveCheckpointOrThrow, sequential, sigmoid } from "@typegrad/nn";

const model = sequential(dense(1, 2), sigmoid(), dense(2, 5), sigmoid(), dense(5, 1));
const values = { params: model.init(key(0)), state: model.initState() };
const path = join(mkdtempSync(join(tmpdir(), "typegrad-")), "net.safetensors");

await saveCheckpointOrThrow(path, values, { config: { sizes: [1, 2, 5, 1], activation: "sigmoid" } });
const file = await orThrow(loadSafetensors(path)); // a plain safetensors file, PyTorch's state_dict names
for (const [name, t] of Object.entries(file.tensors)) console.log(`${name.padEnd(9)} ${t.dtype} [${t.shape.join(", ")}]`);

const back = await loadCheckpointOrThrow(path, { params: model.init(key(1)), state: model.initState() });
const x = tensor([0, 1, 2], { shape: [3, 1] });
const same = predict(model, values, x).toFlat().every((v, i) => v === predict(model, back, x).toFlat()[i]);
console.log(`config ${JSON.stringify(back.config)}; predictions after loading: ${same ? "identical" : "different"}`);

try {
  await loadCheckpointOrThrow(path, { params: sequential(dense(1, 3), sigmoid(), dense(3, 5), sigmoid(), dense(5, 1)).init(key(0)), state: {} });
} catch (e) {
  console.log(String(e)); // strict validation: a checkpoint of another architecture is rejected
}
