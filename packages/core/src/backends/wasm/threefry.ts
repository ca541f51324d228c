// Threefry-2x32 (20 rounds) as a kernel: word j of a key's stream is half (j mod 2) of the
// block cipher applied to the counter (0, ⌊j/2⌋), exactly as random/threefry.ts computes it.
import { type FunctionBuilder, Op, T } from "./emitter.js";

const ROTATIONS = [13, 15, 26, 6, 17, 29, 16, 24] as const;

/** Emits `n` random words of the key at `key` (two i32) into `out`. */
export function emitRandomBits(f: FunctionBuilder, key: number, out: number, n: number): void {
  const ks = [f.local(T.i32), f.local(T.i32), f.local(T.i32)] as const;
  const [x0, x1, counter, ptr] = [f.local(T.i32), f.local(T.i32), f.local(T.i32), f.local(T.i32)];
  f.i32(key).mem(Op.i32_load, 2, 0).set(ks[0]);
  f.i32(key).mem(Op.i32_load, 2, 4).set(ks[1]);
  f.get(ks[0]).get(ks[1]).op(Op.i32_xor).i32(0x1bd11bda).op(Op.i32_xor).set(ks[2]);
  const block = (): void => {
    f.get(ks[0]).set(x0);
    f.get(counter).get(ks[1]).op(Op.i32_add).set(x1);
    for (let b = 0; b < 5; b++) {
      for (let r = 0; r < 4; r++) {
        f.get(x0).get(x1).op(Op.i32_add).set(x0);
        f.get(x1).i32(ROTATIONS[(b % 2) * 4 + r] as number).op(Op.i32_rotl).get(x0).op(Op.i32_xor).set(x1);
      }
      // Key injection after every four rounds.
      f.get(x0).get(ks[(b + 1) % 3] as number).op(Op.i32_add).set(x0);
      f.get(x1).get(ks[(b + 2) % 3] as number).op(Op.i32_add).i32(b + 1).op(Op.i32_add).set(x1);
    }
  };
  f.i32(0).set(counter).i32(out).set(ptr);
  f.repeat(Math.floor(n / 2), () => {
    block();
    f.get(ptr).get(x0).mem(Op.i32_store, 2, 0);
    f.get(ptr).get(x1).mem(Op.i32_store, 2, 4);
    f.get(ptr).i32(8).op(Op.i32_add).set(ptr);
    f.get(counter).i32(1).op(Op.i32_add).set(counter);
  });
  if (n % 2) {
    block();
    f.get(ptr).get(x0).mem(Op.i32_store, 2, 0);
  }
}
