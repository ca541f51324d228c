import { ValueError } from "../shape/shape.js";
import { Tensor } from "../tensor/tensor.js";
import { randomWords, threefry2x32 } from "./threefry.js";

/** A random key: two 32-bit words in an `i32` tensor of shape [2]. Use each key once: split it or draw from it. */
export type Key = Tensor<readonly [2], "i32">;

const words = (k: Tensor): [number, number] => {
  if (k.dtype !== "i32" || k.shape.length !== 1 || k.shape[0] !== 2)
    throw new ValueError("key", "an i32 tensor of shape [2] made by key()", `${k.dtype}[${k.shape.join(",")}]`);
  return [k.data[0] as number, k.data[1] as number];
};

const makeKey = (a: number, b: number): Key => new Tensor([2] as const, "i32", Int32Array.of(a, b));

/**
 * A key from an integer seed (up to 2⁵³).
 * @example
 * const [k1, k2] = split(key(0), 2);
 */
export function key(seed: number): Key {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ValueError("key", "a non-negative safe integer seed", String(seed));
  return makeKey(Math.floor(seed / 2 ** 32), seed >>> 0);
}

/** `n` independent keys derived from `k`. */
export function split(k: Key, n = 2): Key[] {
  const [k0, k1] = words(k);
  const out = new Int32Array(2);
  return Array.from({ length: n }, (_, i) => {
    threefry2x32(k0, k1, 1, i, out);
    return makeKey(out[0] as number, out[1] as number);
  });
}

/**
 * A key derived from `k` and an integer, e.g. a step number; with `out`, its two words are written
 * there instead (a training loop that allocates nothing, e.g. into a program's key input).
 */
export function foldIn(k: Key, data: number): Key;
export function foldIn(k: Key, data: number, out: Int32Array): Int32Array;
export function foldIn(k: Key, data: number, out?: Int32Array): Key | Int32Array {
  const [k0, k1] = [k.data[0] as number, k.data[1] as number];
  if (out !== undefined) {
    threefry2x32(k0, k1, 2, data >>> 0, out);
    return out;
  }
  words(k);
  const fresh = new Int32Array(2);
  threefry2x32(k0, k1, 2, data >>> 0, fresh);
  return makeKey(fresh[0] as number, fresh[1] as number);
}

/** A uniformly random permutation of 0…n−1 (Fisher–Yates driven by the key). */
export function permutation(k: Key, n: number): Int32Array {
  const [k0, k1] = words(k);
  const bits = randomWords(k0, k1, 2 * n);
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = n - 1; i > 0; i--) {
    // 53 random bits → uniform in [0, 1), so the modulo bias of a 32-bit draw is avoided.
    const u = ((bits[2 * i] as number) * 2 ** 21 + ((bits[2 * i + 1] as number) >>> 11)) / 2 ** 53;
    const j = Math.floor(u * (i + 1));
    const t = perm[i] as number;
    perm[i] = perm[j] as number;
    perm[j] = t;
  }
  return perm;
}
