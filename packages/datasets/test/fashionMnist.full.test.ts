import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { either as E } from "fp-ts";
import { describe, expect, it } from "vitest";
import { DEBIAN_FASHION_MNIST_DIR, loadFashionMnist } from "../src/index.js";

// The full-size check needs Debian's dataset-fashion-mnist package (CI installs it with apt).
// Without it the test is skipped, and says so loudly rather than passing in silence.
const exists = existsSync(join(DEBIAN_FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));
if (!exists)
  console.warn(
    `SKIPPED: full Fashion-MNIST test: ${DEBIAN_FASHION_MNIST_DIR} not found. ` +
      "Install it with `apt-get install -y dataset-fashion-mnist` (CI always has it).",
  );

describe("Fashion-MNIST, full size, from Debian's package", () => {
  // Skipped only when the Debian files are absent (see the console line above); CI has them.
  it.skipIf(!exists)("loads 60,000 + 10,000 verified images, 6,000 + 1,000 per class", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "typegrad-fashion-"));
    try {
      const r = await loadFashionMnist({ cacheDir, log: () => undefined })();
      if (E.isLeft(r)) throw new Error(r.left.message);
      const { train, test, source, classes } = r.right;
      expect(source).toMatchObject({ kind: "debian", subset: false, location: DEBIAN_FASHION_MNIST_DIR });
      expect(train.images.shape).toEqual([60_000, 28, 28]);
      expect(test.images.shape).toEqual([10_000, 28, 28]);
      expect(train.labels.shape).toEqual([60_000]);
      expect(test.labels.shape).toEqual([10_000]);
      const perClass = (labels: Int32Array): number[] => labels.reduce((acc, c) => ((acc[c] = (acc[c] ?? 0) + 1), acc), new Array<number>(10).fill(0));
      expect(perClass(train.labels.data)).toEqual(new Array(10).fill(6000));
      expect(perClass(test.labels.data)).toEqual(new Array(10).fill(1000));
      expect(classes[train.labels.data[0] ?? -1]).toBe("Ankle boot");
      expect(Array.from(test.labels.data.subarray(0, 10))).toEqual([9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
      let sum = 0;
      let max = 0;
      for (const v of train.images.data) {
        sum += v;
        if (v > max) max = v;
      }
      // Fashion-MNIST's well-known training mean is 0.2860.
      expect(sum / train.images.size).toBeCloseTo(0.286, 3);
      expect(max).toBe(1);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });
});
