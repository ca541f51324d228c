// The playground in a real browser: the site is built with Vite (as `pnpm web:build` does), served
// from loopback as plain static files, and driven in headless Chromium through playwright-core.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { input, printLatex, sigmoid, mul, grad, simplify } from "@typegrad/core";
import { loadEmbeddedMnist } from "@typegrad/datasets";
import { type BrowserContext, type Page, chromium } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolation } from "../vite.config.js";
import { strokesOf } from "./strokes.js";

const CHROMIUM = "/usr/bin/chromium";
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.log(`SKIPPED: playground test, ${CHROMIUM} not found (CI installs chromium; locally: apt-get install -y chromium)`);

const root = fileURLToPath(new URL("..", import.meta.url));
const reports = fileURLToPath(new URL("../../../reports/web/", import.meta.url));
const TYPES: Record<string, string> = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".gz": "application/gzip", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf" };

/** A static file server for `dir` on 127.0.0.1, sending `headers` with every file. */
function serve(dir: string, headers: Readonly<Record<string, string>> = {}): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname)));
    const file = path.endsWith("/") ? join(path, "index.html") : path;
    if (!file.startsWith(dir) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { ...headers, "content-type": TYPES[extname(file)] ?? "application/octet-stream" }).end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** The page's own JavaScript (every .js file of the build, the worker's too), minified and gzipped. */
function jsSize(dir: string): { raw: number; gzip: number } {
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"));
  const bytes = files.map((f) => readFileSync(join(dir, f)));
  return { raw: bytes.reduce((s, b) => s + b.length, 0), gzip: bytes.reduce((s, b) => s + gzipSync(b).length, 0) };
}

/** Collects console errors (page and workers), uncaught exceptions and failed requests of `page`. */
function watch(page: Page, errors: string[]): void {
  page.on("console", (m) => void (m.type() === "error" && errors.push(`console: ${m.text()}`)));
  page.on("pageerror", (e) => void errors.push(`page: ${e.stack ?? e.message}`));
  page.on("worker", (w) => w.on("console", (m) => void (m.type() === "error" && errors.push(`worker console: ${m.text()}`))));
  page.on("requestfailed", (r) => void errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on("response", (r) => void (r.status() >= 400 && errors.push(`HTTP ${r.status()}: ${r.url()}`)));
}

describe.skipIf(!hasChromium)("playground", () => {
  let out: string;
  let server: Server;
  let context: BrowserContext;
  let page: Page;
  let url: string;
  let profile: string;
  const errors: string[] = [];
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const began = performance.now();
    out = mkdtempSync(join(tmpdir(), "typegrad-web-"));
    await build({ configFile: join(root, "vite.config.ts"), logLevel: "warn", build: { outDir: out, emptyOutDir: true } });
    const size = jsSize(out);
    console.log(`playground: built in ${((performance.now() - began) / 1000).toFixed(1)} s; own JavaScript ${(size.raw / 1024).toFixed(0)} KiB, ${(size.gzip / 1024).toFixed(0)} KiB gzip`);
    timings.build = performance.now() - began;
    expect(size.gzip, "the playground's JavaScript (every chunk, gzip) is over its 210 KiB budget").toBeLessThan(210 * 1024);
    // Plain static files first: the page must work without the isolation headers, on one thread.
    server = await serve(out);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    profile = mkdtempSync(join(tmpdir(), "typegrad-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1180, height: 900 },
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    page = context.pages()[0] ?? (await context.newPage());
    watch(page, errors);
    // Long tasks on the main thread, from the first paint on.
    await page.addInitScript(() => {
      const w = window as unknown as { __longtasks: { start: number; duration: number }[] };
      w.__longtasks = [];
      new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longtasks.push({ start: e.startTime, duration: e.duration }))).observe({ type: "longtask", buffered: true });
    });
    mkdirSync(reports, { recursive: true });
    await page.goto(url);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    server?.close();
    for (const dir of [out, profile]) if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`playground: ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(", ")}`);
  });

  it("trains the tutorial net live to MSE < 0.05 and draws the fit", async () => {
    const began = performance.now();
    const status = page.locator("#reg-status[data-state=done]");
    await status.waitFor({ timeout: 30_000 });
    timings.regression = performance.now() - began;
    const mse = Number(await status.getAttribute("data-mse"));
    console.log(`playground: tutorial net MSE over all points ${mse.toExponential(3)}`);
    expect(mse).toBeLessThan(0.05);
    // The fitted curve is drawn in orange on the first chart's canvas.
    const orange = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>("#reg-fit canvas");
      const data = canvas?.getContext("2d")?.getImageData(0, 0, canvas.width, canvas.height).data ?? [];
      let n = 0;
      for (let i = 0; i < data.length; i += 4) if (Math.abs((data[i] ?? 0) - 0xe8) < 40 && Math.abs((data[i + 1] ?? 0) - 0x59) < 40 && (data[i + 2] ?? 255) < 60) n++;
      return n;
    });
    expect(orange).toBeGreaterThan(200);
    await page.locator("#regression").screenshot({ path: join(reports, "regression.png") });

    // Save downloads a safetensors file; loading it back gives the same fit.
    const trained = await status.getAttribute("data-mse");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#reg-save").click()]);
    const file = join(reports, "regression.safetensors");
    await download.saveAs(file);
    expect(readFileSync(file).length).toBeGreaterThan(100);
    await page.locator("#reg-load").setInputFiles(file);
    const loaded = page.locator("#reg-status[data-state=loaded]");
    await loaded.waitFor({ timeout: 5_000 });
    expect(await loaded.getAttribute("data-mse")).toBe(trained);
  }, 40_000);

  it("typesets the simplified derivative of sigmoid(x) * x", async () => {
    await page.locator("#grad-status[data-state=done]").waitFor({ timeout: 10_000 });
    const x = input("x", []);
    const want = printLatex(simplify(grad(mul(sigmoid(x), x), [x])[0]));
    const tex = await page.locator("#grad-d1 annotation").textContent();
    expect(tex).toBe(want);
    expect(await page.locator("#grad-d1 .katex-html").textContent()).toContain("σ");
    expect(await page.locator("#grad-graph svg rect").count()).toBeGreaterThan(5);
    await page.locator("#gradients").screenshot({ path: join(reports, "gradients.png") });
  });

  it("trains the digits in a worker to ≥ 90% test accuracy in 60 s, main thread free, then reads drawings", async () => {
    const began = performance.now();
    const t0 = await page.evaluate(() => performance.now());
    await page.locator("#mnist-train").click();
    const done = page.locator("#mnist-status[data-state=done]");
    await done.waitFor({ timeout: 60_000 });
    timings.mnist = performance.now() - began;
    const accuracy = Number(await page.locator("#mnist-status").getAttribute("data-test-accuracy"));
    console.log(`playground: digits trained in ${(timings.mnist / 1000).toFixed(1)} s, test accuracy ${(accuracy * 100).toFixed(1)}%`);
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    const long = await page.evaluate((since) => (window as unknown as { __longtasks: { start: number; duration: number }[] }).__longtasks.filter((t) => t.start >= since), t0);
    console.log(`playground: main-thread long tasks during training: ${JSON.stringify(long.map((t) => Math.round(t.duration)))}`);
    expect(long.filter((t) => t.duration > 100)).toEqual([]);

    // Ten test digits, one of each class, drawn as pen strokes along their skeletons.
    const data = await loadEmbeddedMnist({ flatten: true })();
    if (data._tag === "Left") throw new Error(data.left.message);
    const { images, labels } = data.right.test;
    const picks = Array.from({ length: 10 }, (_, d) => Array.from(labels.data).indexOf(d));
    const drawnBegan = performance.now();
    const predicted: number[] = [];
    for (const i of picks) {
      await page.locator("#pad-clear").click(); // (scrolls the pad's buttons into view)
      const box = await page.locator("#pad").boundingBox();
      if (box === null) throw new Error("no drawing pad");
      const scale = box.width / 28;
      for (const stroke of strokesOf(images.data.subarray(i * 784, (i + 1) * 784))) {
        const [first, ...rest] = stroke.map(([px, py]) => [box.x + (px + 0.5) * scale, box.y + (py + 0.5) * scale] as const);
        if (first === undefined) continue;
        await page.mouse.move(first[0], first[1]);
        await page.mouse.down();
        for (const [px, py] of rest) await page.mouse.move(px, py);
        await page.mouse.up();
      }
      predicted.push(Number(await page.locator("#bars").getAttribute("data-prediction")));
    }
    timings.drawing = performance.now() - drawnBegan;
    const right = predicted.filter((p, d) => p === d).length;
    console.log(`playground: drawn digits 0–9 read as ${predicted.join(" ")} (${right}/10)`);
    await page.locator("#mnist").screenshot({ path: join(reports, "mnist.png") });
    await page.screenshot({ path: join(reports, "playground.png"), fullPage: true });
    expect(errors).toEqual([]);
    expect(right).toBeGreaterThanOrEqual(8);
  }, 120_000);

  it("works the same cross-origin isolated, as `pnpm web` serves it (threads available)", async () => {
    const isolated = await serve(out, isolation);
    const tab = await context.newPage();
    try {
      watch(tab, errors);
      await tab.goto(`http://127.0.0.1:${(isolated.address() as AddressInfo).port}/`);
      expect(await tab.evaluate(() => crossOriginIsolated)).toBe(true);
      const began = performance.now();
      await tab.locator("#mnist-train").click();
      const done = tab.locator("#mnist-status[data-state=done]");
      await done.waitFor({ timeout: 60_000 });
      timings.isolated = performance.now() - began;
      expect(Number(await done.getAttribute("data-test-accuracy"))).toBeGreaterThanOrEqual(0.9);
      await tab.locator("#reg-status[data-state=done]").waitFor({ timeout: 30_000 });
      await tab.locator("#grad-status[data-state=done]").waitFor({ timeout: 10_000 });
      expect(errors).toEqual([]);
    } finally {
      await tab.close();
      isolated.close();
    }
  }, 120_000);
});
