// Panel 1: the tutorial net trains on the main thread in slices of a few milliseconds per frame,
// so the page keeps drawing; save and load go through safetensors bytes, no file system.
import { type Tensor, constant, evaluate, key, linspace, normal, tensor } from "@typegrad/core";
import {
  CONFIG_KEY,
  type Layer,
  type TrainSession,
  type TrainState,
  adam,
  decodeSafetensors,
  dense,
  encodeSafetensors,
  gelu,
  loadStateDict,
  mse,
  predict,
  relu,
  sequential,
  sigmoid,
  softplus,
  stateDict,
  tanh,
  trainStep,
} from "@typegrad/nn";
import { byId } from "./dom.js";
import { chart } from "./plot.js";

const activations = { sigmoid, tanh, relu, gelu, softplus } as const;
type Activation = keyof typeof activations;
const isActivation = (s: unknown): s is Activation => typeof s === "string" && s in activations;

/** What a checkpoint needs to rebuild the model: saved in its metadata. */
interface Config {
  readonly sizes: readonly [1, number, number, 1];
  readonly activation: Activation;
}

const PASSES = 200;
const POINTS = 100;
/** Standard deviation of the noise: small, so that the fit is visibly a line. */
const NOISE = 0.05;
/** Per frame, at most this long training (the rest of the frame is for drawing and input)… */
const SLICE_MS = 12;
/** …and at most this many passes, so that the fit can be watched (200 passes take ~3 s at 60 frames/s). */
const PASSES_PER_FRAME = 1;

function makeModel(c: Config): Layer {
  const act = activations[c.activation];
  return sequential(dense(1, c.sizes[1]), act(), dense(c.sizes[1], c.sizes[2]), act(), dense(c.sizes[2], 1));
}

/** x = linspace(0, 3, 100), y = 2.3x + 4.7 + N(0, NOISE²) (a fixed draw). */
function makeData(): { x: Tensor; y: Tensor } {
  const xs = linspace(0, 3, POINTS).data;
  const noise = evaluate(normal(constant(key(7)), [POINTS])).data;
  return {
    x: tensor(xs, { shape: [POINTS, 1] }),
    y: tensor(Array.from(xs, (v, i) => 2.3 * v + 4.7 + NOISE * (noise[i] ?? 0)), { shape: [POINTS, 1] }),
  };
}

export function regressionPanel(): void {
  const data = makeData();
  const samples = Array.from(data.x.data, (v, i) => ({ x: tensor([v]), y: tensor([data.y.data[i] ?? 0]) }));
  const status = byId<HTMLParagraphElement>("reg-status");
  const fitChart = chart(byId("reg-fit"), "data and fit", [{ label: "data", color: "#4a5568", points: true }, { label: "network", color: "#e8590c" }], { x: "x" });
  const lossChart = chart(byId("reg-loss"), "mean loss per pass", [{ label: "MSE", color: "#4f7cff" }], { x: "pass", logY: true });

  let config: Config = { sizes: [1, 2, 5, 1], activation: "sigmoid" };
  let model = makeModel(config);
  let values: Pick<TrainState, "params" | "state"> | undefined;
  let run = 0; // a new run (or a load) ends the previous one

  const readConfig = (): Config => {
    const width = (id: string): number => Math.max(1, Math.min(64, Math.round(Number(byId<HTMLInputElement>(id).value) || 1)));
    const act = byId<HTMLSelectElement>("reg-act").value;
    return { sizes: [1, width("reg-h1"), width("reg-h2"), 1], activation: isActivation(act) ? act : "sigmoid" };
  };

  /** Draws the fit and returns the MSE over all points. */
  const showFit = (): number => {
    if (values === undefined) return NaN;
    const yhat = predict(model, values, data.x).data;
    let sum = 0;
    yhat.forEach((p, i) => (sum += (p - (data.y.data[i] ?? 0)) ** 2));
    fitChart.set([data.x.data, data.y.data, yhat]);
    return sum / POINTS;
  };

  const train = (): void => {
    const id = ++run;
    config = readConfig();
    model = makeModel(config);
    const lr = Number(byId<HTMLInputElement>("reg-lr").value) || 0.02;
    const trainer = trainStep(model, mse, adam({ lr }));
    const session: TrainSession = trainer.session(trainer.init(model.init(key(0))));
    const losses: number[] = [];
    let pass = 0;
    let i = 0;
    let sum = 0;
    status.dataset.state = "training";
    const frame = (): void => {
      if (id !== run) return;
      const until = performance.now() + SLICE_MS;
      const last = Math.min(PASSES, pass + PASSES_PER_FRAME);
      while (pass < last && performance.now() < until) {
        for (let k = 0; k < 10 && i < POINTS; k++, i++) sum += session.step(samples[i] as (typeof samples)[number]);
        if (i === POINTS) [losses[pass++], i, sum] = [sum / POINTS, 0, 0];
      }
      values = session.snapshot();
      const err = showFit();
      lossChart.set([losses.map((_, p) => p + 1), losses]);
      const done = pass === PASSES;
      status.textContent = `pass ${pass}/${PASSES}  loss ${(losses[pass - 1] ?? NaN).toExponential(3)}  MSE over all points ${err.toExponential(3)}${done ? "  (done)" : ""}`;
      status.dataset.mse = String(err);
      if (done) status.dataset.state = "done";
      else requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  };

  const save = (): void => {
    if (values === undefined) return void (status.textContent = "train (or load) first, then save");
    const bytes = encodeSafetensors(stateDict(values.params, values.state), { format: "pt", [CONFIG_KEY]: JSON.stringify(config) });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: "application/octet-stream" }));
    a.download = "regression.safetensors";
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };

  const load = async (file: File): Promise<void> => {
    run++;
    const decoded = decodeSafetensors(new Uint8Array(await file.arrayBuffer()));
    if (decoded._tag === "Left") return fail(`load: ${decoded.left.message}`);
    const saved = parseConfig(decoded.right.metadata[CONFIG_KEY]);
    if (saved === undefined) return fail(`load: the file has no "${CONFIG_KEY}" metadata with sizes [1, h1, h2, 1] and an activation`);
    const candidate = makeModel(saved);
    const loaded = loadStateDict({ params: candidate.init(key(0)), state: candidate.initState() }, decoded.right.tensors);
    if (loaded._tag === "Left") return fail(`load: ${loaded.left.message}`);
    [config, model, values] = [saved, candidate, loaded.right];
    byId<HTMLInputElement>("reg-h1").value = String(saved.sizes[1]);
    byId<HTMLInputElement>("reg-h2").value = String(saved.sizes[2]);
    byId<HTMLSelectElement>("reg-act").value = saved.activation;
    const err = showFit();
    status.classList.remove("error");
    status.textContent = `loaded ${file.name}: ${saved.sizes.join("-")} ${saved.activation}, MSE over all points ${err.toExponential(3)}`;
    status.dataset.mse = String(err);
    status.dataset.state = "loaded";
  };

  const fail = (message: string): void => {
    status.textContent = message;
    status.classList.add("error");
  };

  byId<HTMLFormElement>("reg-controls").addEventListener("submit", (e) => {
    e.preventDefault();
    status.classList.remove("error");
    train();
  });
  byId("reg-stop").addEventListener("click", () => void run++);
  byId("reg-save").addEventListener("click", save);
  byId<HTMLInputElement>("reg-load").addEventListener("change", (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) void load(file);
  });
  train();
}

function parseConfig(text: string | undefined): Config | undefined {
  if (text === undefined) return undefined;
  try {
    const c: unknown = JSON.parse(text);
    if (typeof c !== "object" || c === null || !("sizes" in c) || !("activation" in c)) return undefined;
    const { sizes, activation } = c;
    if (!Array.isArray(sizes) || sizes.length !== 4 || sizes[0] !== 1 || sizes[3] !== 1 || !isActivation(activation)) return undefined;
    const [h1, h2] = [sizes[1], sizes[2]];
    if (!Number.isInteger(h1) || !Number.isInteger(h2) || h1 < 1 || h2 < 1 || h1 > 64 || h2 > 64) return undefined;
    return { sizes: [1, h1, h2, 1], activation };
  } catch {
    return undefined;
  }
}
