// typegrad in a real browser: test/browser/entry.ts is bundled from the TypeScript source (the
// `@typegrad/source` condition) for the browser platform, served from loopback and run in headless
// Chromium through playwright-core. The page parses IDX data, differentiates, prints, compiles with
// the default backend and runs; here its numbers are checked against float64 loops.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { type BrowserResult, COLS, OUT, ROWS, idxBytes, pixel, weight } from "./browser/data.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`SKIPPED: browser test, ${CHROMIUM} not found (CI installs chromium; locally: apt-get install -y chromium)`);

/** y = Σ tanh(x·w) and dy/dw = xᵀ·(1 − tanh²(x·w)), in float64. */
function expected(): { y: number; dw: number[] } {
  const x = (i: number, k: number): number => pixel(i, k) / 255;
  const dw = new Array<number>(COLS * OUT).fill(0);
  let y = 0;
  for (let i = 0; i < ROWS; i++)
    for (let j = 0; j < OUT; j++) {
      let z = 0;
      for (let k = 0; k < COLS; k++) z += x(i, k) * weight(k, j);
      const t = Math.tanh(z);
      y += t;
      for (let k = 0; k < COLS; k++) dw[k * OUT + j] = (dw[k * OUT + j] ?? 0) + x(i, k) * (1 - t * t);
    }
  return { y, dw };
}

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("browser/entry.ts", import.meta.url))],
    bundle: true,
    write: false,
    platform: "browser",
    format: "esm",
    target: "es2022",
    conditions: ["@typegrad/source"],
    logLevel: "silent",
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error("esbuild wrote no output");
  return file.text;
}

function serve(files: Readonly<Record<string, { type: string; body: string | Uint8Array }>>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ""];
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": file.type }).end(file.body);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

describe("browser", () => {
  // Skipped (with the SKIPPED line above) only where Chromium is not installed; CI installs it.
  it.skipIf(!hasChromium)("bundles for the browser and computes the same gradient in headless Chromium", async () => {
    const script = await bundle();
    const server = await serve({
      "/": { type: "text/html", body: `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="/entry.js"></script>` },
      "/entry.js": { type: "text/javascript", body: script },
      "/images.idx.gz": { type: "application/octet-stream", body: gzipSync(idxBytes()) },
    });
    const profile = mkdtempSync(join(tmpdir(), "typegrad-chromium-"));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      const errors: string[] = [];
      page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
      page.on("pageerror", (e) => void errors.push(e.stack ?? e.message));
      const { port } = server.address() as AddressInfo;
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForFunction(() => "__result" in window, undefined, { timeout: 20_000 });
      const result = await page.evaluate(() => (window as { __result?: BrowserResult | null }).__result ?? null);
      expect(errors).toEqual([]);
      if (result === null) throw new Error("the page failed without a console error");
      console.log(`browser: ${result.userAgent}; backend ${result.backend}; features ${JSON.stringify(result.features)}; bundle ${(script.length / 1024).toFixed(0)} KiB`);

      // The default compile chose the wasm backend, which it does only when SIMD validates; the
      // GEMM used relaxed-SIMD multiply-add, which Chromium has shipped since version 114.
      expect(result.features).toEqual({ simd: true, relaxedSimd: true });
      expect(result.backend).toBe("wasm");
      expect(result.idxShape).toEqual([ROWS, COLS]);
      expect(result.gzipMatches).toBe(true);
      // d/dw Σ tanh(x·w) = xᵀ·(1 − tanh²(x·w)), with the shared tanh named once.
      expect(result.printed).toBe("let a = tanh(x @ w)\nxᵀ @ (1 − a²)");

      const want = expected();
      expect(result.y).toBeCloseTo(want.y, 4);
      expect(result.dw).toHaveLength(want.dw.length);
      result.dw.forEach((v, i) => expect(v).toBeCloseTo(want.dw[i] ?? NaN, 4));
    } finally {
      await context.close();
      server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
