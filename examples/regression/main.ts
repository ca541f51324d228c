// Fit a tiny network to a line, save it, load it back, and plot data against the fit.
//   tsx --conditions=@typegrad/source examples/regression/main.ts [output-dir]
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { key } from "@typegrad/core";
import { loadCheckpointOrThrow, predict, saveCheckpointOrThrow } from "@typegrad/nn";
import { asciiPlot, svgPlot } from "./plot.js";
import { config, data, lineOf, model, train } from "./regression.js";

const outDir = process.argv[2] ?? join(import.meta.dirname, "out");
mkdirSync(outDir, { recursive: true });

const started = performance.now();
const { ts, mse } = train(200, 0, (log) => {
  if (log.epoch % 25 === 0 || log.epoch === 1) console.log(`pass ${String(log.epoch).padStart(3)}  mean loss ${log.loss.toExponential(3)}`);
});
console.log(`trained 20,000 steps in ${((performance.now() - started) / 1000).toFixed(1)} s, MSE over all points ${mse.toExponential(3)}`);

const path = join(outDir, "regression.safetensors");
await saveCheckpointOrThrow(path, ts, { config });
const loaded = await loadCheckpointOrThrow(path, { params: model.init(key(1)), state: model.initState() });
const { x, y } = data();
const before = predict(model, ts, x);
const after = predict(model, loaded, x);
const same = before.data.every((v, i) => v === after.data[i]);
console.log(`saved ${path}; loaded back: predictions ${same ? "identical" : "DIFFERENT"}, config ${JSON.stringify(loaded.config)}`);

const line = lineOf(x.data, after.data);
console.log(`learned line: y ≈ ${line.slope.toFixed(3)}x + ${line.intercept.toFixed(3)}   (true: ${config.slope}x + ${config.intercept})`);

const svgPath = join(outDir, "regression.svg");
writeFileSync(svgPath, svgPlot({ xs: x.data, ys: y.data }, { xs: x.data, ys: after.data }, "y = 2.3x + 4.7: data and the 1-2-5-1 network's fit"));
console.log(`plot: ${svgPath}\n`);
console.log(asciiPlot({ xs: x.data, ys: y.data }, { xs: x.data, ys: after.data }));
if (!same) process.exit(1);
