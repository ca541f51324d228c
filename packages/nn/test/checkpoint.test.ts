import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor, key, tensor } from "@typegrad/core";
import { either as E } from "fp-ts";
import { describe, expect, it } from "vitest";
import {
  type CheckpointError,
  CheckpointLoadError,
  batchNorm,
  decodeSafetensors,
  dense,
  encodeSafetensors,
  flatten,
  loadCheckpoint,
  loadStateDict,
  orThrow,
  relu,
  saveCheckpoint,
  sequential,
  stateDict,
} from "../src/index.js";

/** A safetensors file built by hand from the format's definition (independent of the encoder). */
function handMade(header: object, data: Uint8Array, declaredLength?: number): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
/** A file whose header is the given text, as is. */
function fromText(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}
const f32Bytes = (xs: number[]): Uint8Array => new Uint8Array(Float32Array.from(xs).buffer);

function errorOf(bytes: Uint8Array): CheckpointError {
  const r = decodeSafetensors(bytes);
  if (E.isRight(r)) throw new Error("expected a decoding error");
  return r.left;
}

const model = sequential(dense(3, 4), relu(), batchNorm(4), dense(4, 2));
const fresh = () => ({ params: model.init(key(0)), state: model.initState() });

describe("safetensors", () => {
  it("reads a file laid out as PyTorch writes it (I64 counter, format metadata)", () => {
    const counter = new Uint8Array(8);
    new DataView(counter.buffer).setBigInt64(0, 7n, true);
    const data = new Uint8Array([...f32Bytes([1, 2, 3, 4, 5, 6]), ...counter]);
    const bytes = handMade(
      {
        __metadata__: { format: "pt" },
        "0.weight": { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] },
        "1.num_batches_tracked": { dtype: "I64", shape: [], data_offsets: [24, 32] },
      },
      data,
    );
    const r = decodeSafetensors(bytes);
    expect(E.isRight(r)).toBe(true);
    if (E.isLeft(r)) return;
    const w = r.right.tensors["0.weight"] as Tensor;
    expect(w.dtype).toBe("f32");
    expect(w.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect((r.right.tensors["1.num_batches_tracked"] as Tensor).item()).toBe(7);
    expect(r.right.metadata).toEqual({ format: "pt" });
  });

  it("round-trips every dtype, keeps order, and aligns the data to 8 bytes", () => {
    const tensors = {
      b: tensor([1.5, -2], { dtype: "f64" }),
      a: tensor([[1, 2, 3]]),
      n: tensor([7, -8], { dtype: "i32" }),
      m: tensor([1, 0, 1], { dtype: "bool" }),
    };
    const bytes = encodeSafetensors(tensors, { note: "hi" });
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
    const r = decodeSafetensors(bytes);
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(Object.keys(r.right.tensors)).toEqual(["b", "a", "n", "m"]);
    for (const [k, t] of Object.entries(tensors)) {
      const u = r.right.tensors[k] as Tensor;
      expect([u.dtype, u.shape, u.toArray()]).toEqual([t.dtype, t.shape, t.toArray()]);
    }
    expect(r.right.metadata).toEqual({ note: "hi" });
  });

  it("names what is wrong with a corrupt file", () => {
    const good = { "x": { dtype: "F32", shape: [2], data_offsets: [0, 8] }, "y": { dtype: "F32", shape: [1], data_offsets: [8, 12] } };
    const data = f32Bytes([1, 2, 3]);
    expect(errorOf(new Uint8Array(5))).toMatchObject({ kind: "truncated", message: expect.stringContaining("fewer than the 8-byte") });
    expect(errorOf(handMade(good, data, 10_000))).toMatchObject({ kind: "header-length", message: expect.stringContaining("beyond the end") });
    expect(errorOf(handMade(good, data, 2 ** 40))).toMatchObject({ kind: "header-length" });
    const whole = handMade(good, data);
    expect(errorOf(whole.subarray(0, whole.length - 4))).toMatchObject({ kind: "truncated", message: expect.stringContaining('"y" ends at byte 12') });
    expect(errorOf(handMade({ ...good, y: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }, data))).toMatchObject({ kind: "offsets", message: expect.stringContaining("overlap") });
    expect(errorOf(handMade({ ...good, y: { dtype: "F32", shape: [1], data_offsets: [12, 16] } }, f32Bytes([1, 2, 3, 4])))).toMatchObject({
      kind: "offsets",
      message: expect.stringContaining("belong to no tensor"),
    });
    expect(errorOf(handMade(good, f32Bytes([1, 2, 3, 4])))).toMatchObject({ kind: "offsets", message: expect.stringContaining("trailing") });
    expect(errorOf(handMade({ ...good, y: { dtype: "F32", shape: [2], data_offsets: [8, 12] } }, data))).toMatchObject({ kind: "bad-entry", name: "y" });
    expect(errorOf(handMade({ ...good, y: { dtype: "BF16", shape: [2], data_offsets: [8, 12] } }, data))).toMatchObject({ kind: "bad-entry", message: expect.stringContaining("BF16") });
    expect(errorOf(handMade({ ...good, y: { dtype: "Q4", shape: [1], data_offsets: [8, 12] } }, data))).toMatchObject({ kind: "bad-entry", message: expect.stringContaining("unknown dtype") });
    expect(errorOf(handMade({ ...good, __metadata__: { n: 1 } }, data))).toMatchObject({ kind: "bad-header" });
    const notJson = handMade(good, data);
    notJson[8] = 0x5b; // "[" where "{" was
    expect(errorOf(notJson).kind).toBe("bad-header");
  });

  it("refuses deep nesting, a byte-order mark and duplicate keys with typed errors", () => {
    const data = f32Bytes([1]);
    const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
    for (const field of ["shape", "data_offsets"]) {
      const y = { dtype: '"F32"', shape: "[0]", data_offsets: "[4,4]", [field]: deep(10_000) };
      const header = `{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{${Object.entries(y).map(([k, v]) => `"${k}":${v}`).join(",")}}}`;
      expect(errorOf(fromText(header, data))).toMatchObject({ kind: "bad-header", message: expect.stringContaining("nesting deeper than 3 levels") });
    }
    const valid = `{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`;
    expect(E.isRight(decodeSafetensors(fromText(valid, data)))).toBe(true);
    expect(errorOf(fromText(`\uFEFF${valid}`, data))).toMatchObject({ kind: "bad-header", message: expect.stringContaining("byte-order mark") });
    expect(errorOf(fromText(`{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, data))).toMatchObject({
      kind: "bad-header",
      message: expect.stringContaining('duplicate key "x"'),
    });
  });

  it("round-trips a header of 200,000 entries of every dtype, in order, with names that are property names elsewhere", () => {
    const n = 200_000;
    const special = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf"];
    const tensors: Record<string, Tensor> = Object.create(null);
    for (let i = 0; i < n; i++) {
      const name = special[i] ?? `layers.${i}.weight`;
      const k = i % 4; // f32, f64, i32, bool
      const shape = i % 3 === 0 ? [2, 1] : i % 3 === 1 ? [2] : [0, 3];
      const data = shape[0] === 0 ? [] : k === 3 ? [i % 2, (i + 1) % 2] : [i, i + 0.25];
      tensors[name] = k === 0 ? new Tensor(shape, "f32", Float32Array.from(data)) : k === 1 ? new Tensor(shape, "f64", Float64Array.from(data)) : k === 2 ? new Tensor(shape, "i32", Int32Array.from(data, Math.floor)) : new Tensor(shape, "bool", Uint8Array.from(data));
    }
    const r = decodeSafetensors(encodeSafetensors(tensors, { format: "pt" }));
    if (E.isLeft(r)) throw new CheckpointLoadError(r.left);
    expect(Object.keys(r.right.tensors).join("\n")).toBe(Object.keys(tensors).join("\n"));
    const differ = (a: Tensor, b: Tensor): boolean => a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((d, j) => d !== b.shape[j]) || a.data.some((v, j) => v !== b.data[j]);
    expect(Object.keys(tensors).filter((name) => differ(r.right.tensors[name] as Tensor, tensors[name] as Tensor))).toEqual([]);
    expect(r.right.metadata).toEqual({ format: "pt" });
  });
});

describe("checkpoints", () => {
  const dir = mkdtempSync(join(tmpdir(), "typegrad-ckpt-"));

  it("state_dict keys follow PyTorch's nn.Sequential", () => {
    expect(Object.keys(stateDict(fresh().params, fresh().state))).toEqual([
      "0.weight",
      "0.bias",
      "2.weight",
      "2.bias",
      "2.running_mean",
      "2.running_var",
      "2.num_batches_tracked",
      "3.weight",
      "3.bias",
    ]);
  });

  it("saves atomically and loads back exactly, with the config", async () => {
    const values = { params: model.init(key(42)), state: model.initState() };
    const path = join(dir, "model.safetensors");
    await orThrow(saveCheckpoint(path, values, { config: { sizes: [3, 4, 2] } }));
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    const loaded = await orThrow(loadCheckpoint(path, fresh()));
    expect(loaded.config).toEqual({ sizes: [3, 4, 2] });
    expect(loaded.metadata.format).toBe("pt");
    const want = flatten(values.params);
    for (const [k, t] of Object.entries(flatten(loaded.params))) expect(Array.from(t.data), k).toEqual(Array.from((want[k] as Tensor).data));
    // Saving again replaces the file whole.
    await orThrow(saveCheckpoint(path, fresh()));
    expect((await orThrow(loadCheckpoint(path, fresh()))).config).toBeUndefined();
  });

  it("rejects a checkpoint that does not fit the model", () => {
    const sd = stateDict(fresh().params, fresh().state);
    const { ["3.bias"]: _gone, ...missing } = sd;
    const check = (tensors: Record<string, Tensor>) => {
      const r = loadStateDict(fresh(), tensors);
      return E.isLeft(r) ? r.left : undefined;
    };
    const none = { missing: [], unexpected: [], shapes: [], dtypes: [] };
    expect(check(missing)).toMatchObject({ ...none, kind: "mismatch", missing: ["3.bias"] });
    expect(check({ ...sd, "9.weight": tensor([1]) })).toMatchObject({ ...none, kind: "mismatch", unexpected: ["9.weight"] });
    expect(E.isRight(loadStateDict(fresh(), { ...sd, "9.weight": tensor([1]) }, { strict: false }))).toBe(true);
    expect(check({ ...sd, "0.bias": tensor([1, 2]) })).toMatchObject({ kind: "mismatch", missing: [], message: expect.stringContaining("[2] in the checkpoint but [4]") });
    expect(check({ ...sd, "0.bias": tensor([1, 2, 3, 4], { dtype: "f64" }) })).toMatchObject({ ...none, dtypes: [{ name: "0.bias", file: "f64", model: "f32" }] });
  });

  it("reports every difference at once when loading into another architecture", () => {
    const other = sequential(dense(3, 5), relu(), dense(5, 2));
    const file = stateDict(other.init(key(1)), other.initState());
    const r = loadStateDict(fresh(), { ...file, "0.bias": tensor([1, 2, 3, 4], { dtype: "f64" }) });
    if (E.isRight(r)) throw new Error("expected a mismatch");
    expect(r.left).toMatchObject({
      kind: "mismatch",
      missing: ["3.weight", "3.bias", "2.running_mean", "2.running_var", "2.num_batches_tracked"],
      unexpected: [],
      shapes: [
        { name: "0.weight", file: [5, 3], model: [4, 3] },
        { name: "2.weight", file: [2, 5], model: [4] },
        { name: "2.bias", file: [2], model: [4] },
      ],
      dtypes: [{ name: "0.bias", file: "f64", model: "f32" }],
    });
    expect(r.left.message).toContain('missing keys: "3.weight", "3.bias", "2.running_mean"');
    expect(r.left.message).toContain('"0.weight" has shape [5,3] in the checkpoint but [4,3] in the model');
  });

  it("treats keys named like Object.prototype members as data", () => {
    const names = ["constructor", "toString", "hasOwnProperty", "valueOf", "__proto__", "__defineGetter__"];
    const tensors: Record<string, Tensor> = Object.create(null);
    names.forEach((n, i) => (tensors[n] = tensor([i, i + 0.5])));
    const r = decodeSafetensors(encodeSafetensors(tensors));
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(Object.keys(r.right.tensors)).toEqual(names);
    names.forEach((n, i) => expect(Array.from((r.right.tensors[n] as Tensor).data)).toEqual([i, i + 0.5]));
    // Strict loading reports them as unexpected instead of matching Object.prototype.
    const sd = stateDict(fresh().params, fresh().state);
    const loaded = loadStateDict(fresh(), Object.assign(Object.create(null) as Record<string, Tensor>, sd, r.right.tensors));
    expect(E.isLeft(loaded) && loaded.left).toMatchObject({ kind: "mismatch", unexpected: names });
  });

  it("removes temporary files that killed saves of the same target left behind, and only those", async () => {
    const sub = mkdtempSync(join(dir, "stale-"));
    const path = join(sub, "net.safetensors");
    const dead = spawnSync(process.execPath, ["-e", "0"]).pid as number;
    const stale = [`.net.safetensors.${dead}.m1abc.tmp`, `.net.safetensors.${dead}.zz9.tmp`];
    const kept = [`.other.safetensors.${dead}.m1abc.tmp`, `.net.safetensors.${process.pid}.inflight.tmp`, `.net.safetensors.5.${dead}.m1abc.tmp`, "notes.txt"];
    for (const f of [...stale, ...kept]) writeFileSync(join(sub, f), "x");
    await orThrow(saveCheckpoint(path, fresh()));
    expect(readdirSync(sub).sort()).toEqual([...kept, "net.safetensors"].sort());
  });

  it("reports IO and format errors through the TaskEither, and throws from orThrow", async () => {
    const r = await loadCheckpoint(join(dir, "absent.safetensors"), fresh())();
    expect(E.isLeft(r) && r.left.kind).toBe("io");
    const path = join(dir, "bad.safetensors");
    writeFileSync(path, readFileSync(join(dir, "model.safetensors")).subarray(0, 40));
    await expect(orThrow(loadCheckpoint(path, fresh()))).rejects.toBeInstanceOf(CheckpointLoadError);
  });
});
