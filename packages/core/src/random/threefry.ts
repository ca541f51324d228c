/**
 * Threefry-2x32 with 20 rounds (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
 * SC 2011): a counter-based generator, so the i-th random word of a key is a pure function of the
 * key and i. The same function runs on the host here and inside compiled kernels.
 */
const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;

const rotl = (x: number, r: number): number => (x << r) | (x >>> (32 - r));

/** Hashes the counter (c0, c1) under the key (k0, k1); writes the two output words to `out`. */
export function threefry2x32(k0: number, k1: number, c0: number, c1: number, out: Uint32Array | Int32Array, at = 0): void {
  const ks = [k0 >>> 0, k1 >>> 0, (k0 ^ k1 ^ 0x1bd11bda) >>> 0];
  let x0 = (c0 + (ks[0] as number)) | 0;
  let x1 = (c1 + (ks[1] as number)) | 0;
  for (let block = 0; block < 5; block++) {
    for (let r = 0; r < 4; r++) {
      x0 = (x0 + x1) | 0;
      x1 = rotl(x1, ROTATIONS[(block % 2) * 4 + r] as number) ^ x0;
    }
    // Key injection after every four rounds.
    x0 = (x0 + (ks[(block + 1) % 3] as number)) | 0;
    x1 = (x1 + (ks[(block + 2) % 3] as number) + block + 1) | 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
}

/** `n` random 32-bit words of a key: word j is half (j mod 2) of threefry(key, (0, ⌊j/2⌋)). */
export function randomWords(k0: number, k1: number, n: number): Uint32Array {
  const out = new Uint32Array(n + (n % 2));
  for (let i = 0; i < out.length; i += 2) threefry2x32(k0, k1, 0, i >>> 1, out, i);
  return n % 2 ? out.subarray(0, n) : out;
}
