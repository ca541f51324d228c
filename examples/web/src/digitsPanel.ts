// Panel 2: training runs in a worker; this thread only draws what it posts. Each epoch's parameter
// snapshot arrives with its buffers transferred, and the drawing pad classifies with it here
// (one 784-128-10 forward pass is far below a millisecond once compiled).
import { type Tensor, tensor } from "@typegrad/core";
import { type ModelValues, type TrainEvent, predict, unpackTree } from "@typegrad/nn";
import { type FromWorker, type TrainRequest, digitModel } from "./digits.js";
import { chart } from "./plot.js";
import { byId } from "./dom.js";

const PAD = 280;
const SIDE = 28;

export function digitsPanel(): void {
  const status = byId<HTMLParagraphElement>("mnist-status");
  const progress = byId<HTMLProgressElement>("mnist-progress");
  const lossChart = chart(byId("mnist-loss"), "training loss", [{ label: "cross-entropy", color: "#4f7cff" }], { x: "epoch", logY: true });
  const accChart = chart(byId("mnist-acc"), "accuracy per epoch", [{ label: "train", color: "#4f7cff" }, { label: "test", color: "#e8590c" }], { x: "epoch", yRange: [0.8, 1] });
  let worker: Worker | undefined;
  let values: ModelValues | undefined;
  const classify = (pixels: Float32Array | undefined): void => {
    if (pixels === undefined || values === undefined) return showBars(undefined);
    showBars(softmax(predict(digitModel, values, tensor(pixels, { shape: [1, SIDE * SIDE] }))));
  };
  const pad = drawingPad(classify);

  const start = (): void => {
    worker?.terminate();
    const request: TrainRequest = { epochs: Math.max(1, Math.min(50, Number(byId<HTMLInputElement>("mnist-epochs").value) || 10)), batchSize: 64, lr: 2e-3 };
    const losses: [number[], number[]] = [[], []];
    const accs: [number[], (number | null)[], (number | null)[]] = [[], [], []];
    let perEpoch = 1;
    status.textContent = "loading the digits…";
    progress.removeAttribute("value"); // indeterminate until the data are in
    status.dataset.state = "loading";
    status.classList.remove("error");
    worker = new Worker(new URL("./digits.worker.ts", import.meta.url), { type: "module" });
    worker.onerror = (e) => fail(`worker: ${e.message}`);
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data;
      if (m.type === "data") {
        perEpoch = m.batchesPerEpoch;
        status.textContent = `${m.train.toLocaleString("en-US")} training and ${m.test.toLocaleString("en-US")} test digits loaded in ${m.seconds.toFixed(1)} s; training…`;
        status.dataset.state = "training";
        progress.value = 0;
      } else if (m.type === "progress") onProgress(m.event);
      else if (m.type === "snapshot") {
        values = { params: unpackTree(m.params), state: {} };
        classify(pad.pixels());
      } else if (m.type === "done") {
        status.textContent += `  done in ${m.seconds.toFixed(1)} s: draw a digit below`;
        status.dataset.state = "done";
        progress.value = 1;
      } else fail(m.message);
    };
    const onProgress = (event: TrainEvent): void => {
      if (event.kind === "batch") {
        const at = event.epoch - 1 + event.batch / perEpoch;
        losses[0].push(at);
        losses[1].push(event.loss);
        lossChart.set(losses);
        progress.value = at / request.epochs;
        return;
      }
      const { epoch, loss, metrics, validation, seconds } = event.log;
      const testAcc = validation?.accuracy ?? NaN;
      accs[0].push(epoch);
      accs[1].push(metrics.accuracy ?? null);
      accs[2].push(validation?.accuracy ?? null);
      accChart.set(accs);
      progress.value = epoch / request.epochs;
      status.textContent = `epoch ${epoch}/${request.epochs}: loss ${loss.toFixed(4)}, train accuracy ${pct(metrics.accuracy)}, test accuracy ${pct(testAcc)} (${seconds.toFixed(1)} s)`;
      status.dataset.testAccuracy = String(testAcc);
      status.dataset.epoch = String(epoch);
    };
    worker.postMessage(request);
  };

  const fail = (message: string): void => {
    status.textContent = message;
    status.classList.add("error");
    status.dataset.state = "error";
  };

  byId<HTMLFormElement>("mnist-controls").addEventListener("submit", (e) => {
    e.preventDefault();
    start();
  });
  byId("mnist-stop").addEventListener("click", () => {
    worker?.terminate();
    worker = undefined;
    status.textContent += "  (stopped)";
    status.dataset.state = "stopped";
  });
  showBars(undefined);
}

const pct = (v: number | undefined): string => (v === undefined || Number.isNaN(v) ? "–" : `${(v * 100).toFixed(1)}%`);

function softmax(logits: Tensor): number[] {
  const z = Array.from(logits.data);
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Ten bars, the most probable class highlighted; `#bars[data-prediction]` holds it. */
function showBars(probs: number[] | undefined): void {
  const list = byId<HTMLOListElement>("bars");
  const top = probs ? probs.indexOf(Math.max(...probs)) : -1;
  list.replaceChildren(
    ...Array.from({ length: 10 }, (_, d) => {
      const p = probs?.[d] ?? 0;
      const li = document.createElement("li");
      li.className = d === top ? "top" : "";
      const bar = document.createElement("span");
      bar.className = "bar";
      bar.style.width = `${Math.round(p * 260)}px`;
      li.append(`${d}`, bar, probs ? `${(p * 100).toFixed(1)}%` : "");
      return li;
    }),
  );
  if (top >= 0) list.dataset.prediction = String(top);
  else delete list.dataset.prediction;
}

/**
 * The 280×280 pad: white strokes on black. `pixels()` is what the network sees, prepared as MNIST
 * was: the ink's bounding box scaled so that its longer side is 20 pixels, placed with its centre
 * of mass at the centre of a 28×28 image (each pad pixel adds its area to the cell it falls in).
 */
function drawingPad(onChange: (pixels: Float32Array | undefined) => void): { pixels: () => Float32Array | undefined } {
  const canvas = byId<HTMLCanvasElement>("pad");
  const small = byId<HTMLCanvasElement>("pad-small");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const smallCtx = small.getContext("2d");
  if (ctx === null || smallCtx === null) throw new Error("page: no 2d canvas");
  const clear = (): void => {
    ctx.fillStyle = "#000";
    ctx.fillRect(0, 0, PAD, PAD);
    smallCtx.clearRect(0, 0, SIDE, SIDE);
    onChange(undefined);
  };
  clear();
  ctx.strokeStyle = "#fff";
  ctx.lineWidth = 18;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";

  const pixels = (): Float32Array | undefined => {
    const rgba = ctx.getImageData(0, 0, PAD, PAD).data;
    let [mass, mx, my, x0, y0, x1, y1] = [0, 0, 0, PAD, PAD, -1, -1];
    for (let y = 0; y < PAD; y++)
      for (let x = 0; x < PAD; x++) {
        const v = (rgba[(y * PAD + x) * 4] ?? 0) / 255;
        if (v === 0) continue;
        [mass, mx, my] = [mass + v, mx + v * x, my + v * y];
        [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
      }
    if (mass === 0) return undefined;
    const scale = 20 / Math.max(x1 - x0 + 1, y1 - y0 + 1);
    const [cx, cy] = [mx / mass, my / mass];
    const out = new Float32Array(SIDE * SIDE);
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const v = (rgba[(y * PAD + x) * 4] ?? 0) / 255;
        const [tx, ty] = [Math.floor((x + 0.5 - cx) * scale + SIDE / 2), Math.floor((y + 0.5 - cy) * scale + SIDE / 2)];
        if (v > 0 && tx >= 0 && ty >= 0 && tx < SIDE && ty < SIDE) out[ty * SIDE + tx] = (out[ty * SIDE + tx] ?? 0) + v * scale * scale;
      }
    const image = smallCtx.createImageData(SIDE, SIDE);
    out.forEach((v, i) => {
      const g = Math.round(Math.min(1, v) * 255);
      out[i] = Math.min(1, v);
      image.data.set([g, g, g, 255], i * 4);
    });
    smallCtx.putImageData(image, 0, 0);
    return out;
  };

  let last: { x: number; y: number } | undefined;
  let pending = false;
  const at = (e: PointerEvent): { x: number; y: number } => {
    const r = canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD) / r.width, y: ((e.clientY - r.top) * PAD) / r.height };
  };
  const line = (p: { x: number; y: number }): void => {
    const from = last ?? p;
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    last = p;
    // Classify at most once per frame while drawing.
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        onChange(pixels());
      });
    }
  };
  canvas.addEventListener("pointerdown", (e) => {
    canvas.setPointerCapture(e.pointerId);
    last = undefined;
    line(at(e));
  });
  canvas.addEventListener("pointermove", (e) => void (last && line(at(e))));
  const up = (): void => {
    last = undefined;
    onChange(pixels());
  };
  canvas.addEventListener("pointerup", up);
  canvas.addEventListener("pointercancel", up);
  byId("pad-clear").addEventListener("click", clear);
  return { pixels };
}
