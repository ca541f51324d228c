import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { BackendError, type Expr, type Program, type Shape, add, compile, grad, input, logSumExp, matmul, mean, mul, relu, sub, sum, transpose } from "../src/index.js";
import { threadsReady, workers } from "../src/backends/wasm/threads.js";
import { wasmBackend } from "../src/backends/wasm/backend.js";

/** Seeded values in [-1, 1). */
function data(seed: number, size: number): Float32Array {
  let state = seed >>> 0;
  return Float32Array.from({ length: size }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 31 - 1;
  });
}

/** op(A)·op(B) as one float32 sum per element in the order of k: the order every GEMM path keeps. */
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, ta: boolean, tb: boolean): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = Math.fround(s + Math.fround((a[ta ? p * m + i : i * k + p] as number) * (b[tb ? j * k + p : p * n + j] as number)));
      c[i * n + j] = s;
    }
  }
  return c;
}

describe("GEMM: blocked and packed", () => {
  // Shapes past the packing threshold with ragged edges: k in uneven blocks, partial tiles and panels.
  it.each([
    [70, 600, 450], [5, 1030, 257], [3, 513, 600], [9, 700, 400],
  ])("A·B, Aᵀ·B and A·Bᵀ sum in the order of k for m=%i k=%i n=%i", (m, k, n) => {
    for (const [ta, tb] of [[false, false], [true, false], [false, true]] as const) {
      const a = input("a", ta ? [k, m] : [m, k]);
      const b = input("b", tb ? [n, k] : [k, n]);
      const [da, db] = [data(m + k, m * k), data(n + k, k * n)];
      const c = compile({ a, b }, { c: matmul(ta ? transpose(a) : a, tb ? transpose(b) : b) }).set("a", da).set("b", db);
      c.execute();
      // Without relaxed SIMD's fused multiply-add every product rounds before the add, as here.
      expect(c.view("c")).toEqual(reference(da, db, m, k, n, ta, tb));
    }
  });

  // Aᵀ·B packs from a smaller B (k·n ≥ 2¹⁴): a short strip of rows and a partial panel.
  it.each([[10, 128, 130], [67, 131, 129]])("Aᵀ·B sums in the order of k for m=%i k=%i n=%i", (m, k, n) => {
    const a = input("a", [k, m]);
    const b = input("b", [k, n]);
    const [da, db] = [data(m + k, m * k), data(n + k, k * n)];
    const c = compile({ a, b }, { c: matmul(transpose(a), b) }).set("a", da).set("b", db);
    c.execute();
    expect(c.view("c")).toEqual(reference(da, db, m, k, n, true, false));
  });
});

/** The V8 garbage collector, exposed at run time (no --expose-gc needed). */
function collector(): () => void {
  v8.setFlagsFromString("--expose-gc");
  return vm.runInNewContext("gc") as () => void;
}

/** An MLP training step (784→512 sizes shrunk: 600-512-10, batch 16) whose products take both GEMM paths, on `threads` splitting every step, or `"worth"` only those large enough to gain. */
function mlpStep(threads: number, splitting: "every" | "worth" = "every"): Program {
  const x = input("x", [16, 600]);
  const y = input("y", [16, 10]);
  const w1 = input("w1", [600, 512]);
  const b1 = input("b1", [512]);
  const w2 = input("w2", [512, 10]);
  const h = relu(add(matmul(x, w1), b1));
  const logits = matmul(h, w2);
  const loss = mean(sub(logSumExp(logits, -1), sum(mul(y, logits), -1)));
  const [g1, gb1, g2] = grad(loss, [w1, b1, w2]);
  const next = (p: Expr<Shape, "f32">, g: Expr<Shape, "f32">): Expr<Shape, "f32"> => sub(p, mul(g, 0.1));
  return compile({ x, y, w1, b1, w2 }, { loss, w1n: next(w1, g1), b1n: next(b1, gb1), w2n: next(w2, g2) }, { backend: wasmBackend(false, threads, splitting), donate: { w1n: "w1", b1n: "b1", w2n: "w2" } }) as Program;
}

/** Two threads that split every step that can be split, however small (a thread count alone splits only steps large enough to gain). */
const every2 = wasmBackend(false, 2, "every");

describe("GEMM: threads", () => {
  it("gives the same bits on 1, 2 and 4 threads over three MLP training steps", async () => {
    expect(await threadsReady(3)).toBe(true);
    const runs = ([[1], [2], [4], [2, "worth"]] as const).map(([threads, splitting]) => {
      const f = mlpStep(threads, splitting);
      f.set("w1", data(1, 600 * 512).map((v) => v * 0.05)).set("b1", data(2, 512)).set("w2", data(3, 5120).map((v) => v * 0.05));
      const losses: number[] = [];
      for (let step = 0; step < 3; step++) {
        f.set("x", data(10 + step, 16 * 600)).set("y", data(20 + step, 160)).execute();
        losses.push(f.view("loss")[0] as number);
      }
      return { f, losses, w1: f.get("w1").data, w2: f.get("w2").data, b1: f.get("b1").data };
    });
    // The threaded programs ran on the workers, not on the single-thread fallback.
    expect(workers(3)?.loaded.size).toBeGreaterThanOrEqual(2);
    const [one, ...others] = runs as [(typeof runs)[number], ...typeof runs];
    for (const other of others) {
      expect(other.losses).toEqual(one.losses);
      expect(Buffer.from(other.w1.buffer).equals(Buffer.from(one.w1.buffer))).toBe(true);
      expect(Buffer.from(other.w2.buffer).equals(Buffer.from(one.w2.buffer))).toBe(true);
      expect(Buffer.from(other.b1.buffer).equals(Buffer.from(one.b1.buffer))).toBe(true);
    }
  });

  it("reuses the workers for 1,000 programs and releases each collected one", async () => {
    expect(await threadsReady(1)).toBe(true);
    const a = input("a", [8, 64]);
    const b = input("b", [64, 64]);
    const c = matmul(a, b);
    const pool = workers(1);
    const started = pool?.workers.length;
    for (let i = 0; i < 1000; i++) compile({ a, b }, { c }, { backend: every2 }).set("a", data(i, 512)).set("b", data(i, 4096)).execute();
    expect(pool?.workers.length).toBe(started);
    const gc = collector();
    for (let i = 0; i < 10 && (pool?.loaded.size ?? 0) > 10; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pool?.loaded.size).toBeLessThanOrEqual(10);
  });

  it("fails with a clear error when a worker has died, and a new program starts a new pool", async () => {
    expect(await threadsReady(1)).toBe(true);
    const a = input("a", [8, 64]);
    const b = input("b", [64, 64]);
    const f = compile({ a, b }, { c: matmul(a, b) }, { backend: every2 }).set("a", data(1, 512)).set("b", data(2, 4096));
    f.execute();
    workers(1)?.workers[0]?.terminate();
    expect(() => f.execute()).toThrow(BackendError);
    expect(() => f.execute()).toThrow(/wasm: worker thread 1 exited/);
    const g = compile({ a, b }, { c: matmul(a, b) }, { backend: every2 }).set("a", data(1, 512)).set("b", data(2, 4096));
    expect(await threadsReady(1)).toBe(true);
    g.execute();
    expect(g.get("c").data).toEqual(reference(data(1, 512), data(2, 4096), 8, 64, 64, false, false));
  });

  it("never keeps a Node process alive", () => {
    const script = fileURLToPath(new URL("threads/exits.ts", import.meta.url));
    const out = execFileSync(process.execPath, ["--import", "tsx", "--conditions=@typegrad/source", script], { encoding: "utf8", timeout: 60_000 });
    expect(JSON.parse(out)).toEqual({ ready: true, c: 128 });
  });
});
