// The page of the browser test (bundled by browser.test.ts): IDX parsing, a gradient, printing,
// and a program compiled with the default backend, all in the browser. It leaves its findings in
// `window.__result` for the test to check against numbers computed in Node.
import { compile, grad, input, matmul, print, sum, tanh, tensor, wasmFeatures } from "@typegrad/core";
import { type IdxArray, parseIdx, parseIdxAsync } from "@typegrad/datasets";
import { type BrowserResult, COLS, OUT, ROWS, idxBytes, weight } from "./data.js";

function orThrow(parsed: { _tag: "Left"; left: { message: string } } | { _tag: "Right"; right: IdxArray }): IdxArray {
  if (parsed._tag === "Left") throw new Error(parsed.left.message);
  return parsed.right;
}

async function main(): Promise<BrowserResult> {
  const images = orThrow(parseIdx(idxBytes(), { name: "in-memory IDX" }));
  // The same file gzip-compressed by the server: here only DecompressionStream can inflate it.
  const gz = new Uint8Array(await (await fetch("/images.idx.gz")).arrayBuffer());
  const inflated = orThrow(await parseIdxAsync(gz, { name: "images.idx.gz" }));
  const gzipMatches = inflated.data.length === images.data.length && inflated.data.every((v, i) => v === images.data[i]);

  const x = input("x", [ROWS, COLS]);
  const w = input("w", [COLS, OUT]);
  const y = sum(tanh(matmul(x, w)));
  const [dw] = grad(y, [w]);
  const f = compile({ x, w }, { y, dw });
  const out = f.run({
    x: tensor(Float32Array.from(images.data, (v) => v / 255), { shape: [ROWS, COLS] }),
    w: tensor(Float32Array.from({ length: COLS * OUT }, (_, i) => weight(Math.floor(i / OUT), i % OUT)), { shape: [COLS, OUT] }),
  });
  return {
    userAgent: navigator.userAgent,
    backend: f.backend.name,
    features: { ...wasmFeatures },
    idxShape: images.shape,
    gzipMatches,
    printed: print(dw),
    y: out.y.item(),
    dw: Array.from(out.dw.data, Number),
  };
}

main().then(
  (result) => Object.assign(window, { __result: result }),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    Object.assign(window, { __result: null });
  },
);
