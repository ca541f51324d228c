// Batching throughput: one shuffled epoch of 60,000 × 784 f32 samples in batches of 128, with the
// reusable-buffer pipeline of @typegrad/datasets and with a naive loader that builds a JS array per
// sample and collates fresh arrays per batch. Synthetic data, so no dataset is needed.
import { type Tensor, key, permutation, split, tensor } from "@typegrad/core";
import { batches } from "@typegrad/datasets";

const N = 60_000;
const FEATURES = 784;
const BATCH = 128;

function syntheticData(): { x: Tensor<[number, number], "f32">; y: Tensor<[number], "i32"> } {
  const x = new Float32Array(N * FEATURES);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s >>> 24) / 255;
  }
  const y = Int32Array.from({ length: N }, (_, i) => i % 10);
  return { x: tensor(x, { shape: [N, FEATURES] }), y: tensor(y, { shape: [N] }) };
}

/** One epoch through `batches`; returns a checksum so the work cannot be optimised away. */
function epochPipeline(x: Tensor<[number, number], "f32">, y: Tensor<[number], "i32">, k: ReturnType<typeof key>): number {
  let check = 0;
  for (const b of batches(x, y, { batchSize: BATCH, key: k })) check += (b.x.data[b.x.data.length - 1] ?? 0) + (b.y.data[0] ?? 0);
  return check;
}

/**
 * The baseline, as a straightforward loader would do it: a number[] per sample gathered into an
 * array per batch, then collated into fresh typed arrays for the batch tensors.
 */
function epochNaive(x: Tensor<[number, number], "f32">, y: Tensor<[number], "i32">, k: ReturnType<typeof key>, limit = N): number {
  const order = permutation(k, N);
  let check = 0;
  for (let start = 0; start < limit; start += BATCH) {
    const rows: number[][] = [];
    const labels: number[] = [];
    for (let r = start; r < Math.min(start + BATCH, N); r++) {
      const i = order[r] ?? 0;
      rows.push(Array.from(x.data.subarray(i * FEATURES, (i + 1) * FEATURES)));
      labels.push(y.data[i] ?? 0);
    }
    const flat = new Float32Array(rows.length * FEATURES);
    rows.forEach((row, r) => flat.set(row, r * FEATURES));
    const bx = tensor(flat, { shape: [rows.length, FEATURES] });
    const by = tensor(Int32Array.from(labels), { shape: [labels.length] });
    check += (bx.data[bx.data.length - 1] ?? 0) + (by.data[0] ?? 0);
  }
  return check;
}

const time = (f: () => number): number => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};

/** Runs the batching benchmark and returns report lines. */
export async function benchBatching(): Promise<string[]> {
  const { x, y } = syntheticData();
  const keys = split(key(0), 5);
  const k = (i: number): ReturnType<typeof key> => keys[i] ?? key(i);
  epochPipeline(x, y, k(0)); // warm-up
  const pipeline = Math.min(time(() => epochPipeline(x, y, k(1))), time(() => epochPipeline(x, y, k(2))), time(() => epochPipeline(x, y, k(3))));
  epochNaive(x, y, k(0), BATCH * 20); // warm-up
  const naive = time(() => epochNaive(x, y, k(4)));
  const perSec = (ms: number): string => `${((N / ms) * 1000 / 1e6).toFixed(2)} M samples/s`;
  return [
    `datasets batching: one shuffled epoch, ${N.toLocaleString("en-US")} × ${FEATURES} f32, batch ${BATCH}`,
    `  reusable buffers (batches):    ${pipeline.toFixed(1)} ms/epoch (${perSec(pipeline)}, best of 3)`,
    `  naive per-sample arrays:       ${naive.toFixed(1)} ms/epoch (${perSec(naive)})`,
    `  ratio naive / batches:         ×${(naive / pipeline).toFixed(1)}`,
  ];
}
