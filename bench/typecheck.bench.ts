// Type-checking cost of typed shapes: generated programs of chained typed ops, checked with the
// TypeScript compiler API. The timed phase is the semantic check of the generated files, after a
// warm-up file has made the checker load the lib and @typegrad/core declarations.
import { dirname, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import process from "node:process";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** One generated source file: its name (inside bench/, so `@typegrad/core` resolves) and text. */
export interface Source {
  readonly name: string;
  readonly text: string;
}

/** Wall-clock and CPU (user + system) time of one phase, in ms. */
export interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** Result of checking sources: diagnostics as text per file ("" for the program's) and the times of the phases. */
export interface CheckResult {
  readonly diagnostics: Record<string, string[]>;
  readonly program: Timing;
  readonly warmup: Timing;
  readonly check: Record<string, Timing>;
}

/** Times `f`; CPU time is the robust figure on a machine shared with other jobs. */
function timed<T>(f: () => T): [T, Timing] {
  const [t, c] = [performance.now(), process.cpuUsage()];
  const value = f();
  const { user, system } = process.cpuUsage(c);
  return [value, { wallMs: performance.now() - t, cpuMs: (user + system) / 1000 }];
}

const header = `import { add, exp, input, matmul, max, mul, relu, sigmoid, sub, sum, tanh, type Expr } from "@typegrad/core";\n`;

/**
 * `layers` dense layers, each matmul + bias add + activation (3 typed ops), widths cycling so
 * every layer has its own literal shape; the last line asserts the inferred result type.
 */
export function mlpChain(layers: number): Source {
  const widths = [64, 128, 96, 32, 784, 10];
  const acts = ["relu", "tanh", "sigmoid"];
  const lines = [header, `const h0 = input("x", ["batch", ${widths[0]}]);`];
  for (let i = 0; i < layers; i++) {
    const [m, n] = [widths[i % widths.length], widths[(i + 1) % widths.length]];
    lines.push(`const w${i} = input("w${i}", [${m}, ${n}]);`);
    lines.push(`const b${i} = input("b${i}", [${n}]);`);
    lines.push(`const h${i + 1} = ${acts[i % acts.length]}(add(matmul(h${i}, w${i}), b${i}));`);
  }
  lines.push(`export const out: Expr<["batch", ${widths[layers % widths.length]}], "f32"> = h${layers};`);
  return { name: `mlp${layers * 3}.ts`, text: lines.join("\n") };
}

/**
 * `ops` chained elementwise ops with broadcasting: same-shape products, bias rows, kept-axis
 * reductions broadcast back, scalars and unary functions, on a [batch, 16, 32] tensor.
 */
export function elementwiseChain(ops: number): Source {
  const lines = [
    header,
    `const e0 = input("x", ["batch", 16, 32]);`,
    `const row = input("row", [32]);`,
    `const col = input("col", [16, 1]);`,
  ];
  const steps = [
    (p: string) => `mul(${p}, ${p})`,
    (p: string) => `add(${p}, row)`,
    (p: string) => `sub(${p}, max(${p}, -1, true))`,
    (p: string) => `tanh(${p})`,
    (p: string) => `mul(${p}, col)`,
    (p: string) => `add(${p}, 0.5)`,
    (p: string) => `exp(${p})`,
    (p: string) => `sub(${p}, sum(${p}, 1, true))`,
  ];
  // Count each typed call: the reduction steps make two.
  let made = 0;
  let i = 0;
  while (made < ops) {
    const step = steps[i % steps.length] as (p: string) => string;
    lines.push(`const e${i + 1} = ${step(`e${i}`)};`);
    made += (i % steps.length) % 5 === 2 ? 2 : 1;
    i++;
  }
  lines.push(`export const out: Expr<["batch", 16, 32], "f32"> = e${i};`);
  return { name: `elementwise${ops}.ts`, text: lines.join("\n") };
}

/** A 30-layer (or `layers`) model built with nn by a shape-generic builder, its parameter tree and a typed step. */
export function nnGenericModel(layers: number): Source {
  const lines = [
    `import { key, type Tensor } from "@typegrad/core";`,
    `import { adam, dense, mse, named, relu, residual, sequential, trainStep } from "@typegrad/nn";`,
    `const block = <const D extends number, const H extends number>(d: D, h: H) => residual(sequential(named("fc1", dense(d, h)), relu(), named("fc2", dense(h, d))));`,
    `const model = sequential(dense(784, 64), relu(), ${Array.from({ length: Math.max(1, Math.floor((layers - 3) / 2)) }, (_, i) => `block(64, ${32 + (i % 4) * 16})`).join(", ")}, dense(64, 10));`,
    `const params = model.init(key(0));`,
    `const ts = trainStep(model, mse, adam()).init(params);`,
    `export const w: Tensor<[64, 784]> = ts.opt.exp_avg["0"].weight;`,
  ];
  return { name: `nn${layers}.ts`, text: lines.join("\n") };
}

const warmup: Source = { name: "warmup.ts", text: `${header}export const y = relu(add(matmul(input("x", [2, 3]), input("w", [3, 4])), input("b", [4])));\n` };

/** The project's compiler options (tsconfig.base.json), without emitting. */
function compilerOptions(): ts.CompilerOptions {
  const file = resolve(root, "tsconfig.base.json");
  const { config } = ts.readConfigFile(file, ts.sys.readFile);
  return { ...ts.parseJsonConfigFileContent(config, ts.sys, root).options, noEmit: true };
}

/** Type-checks in-memory sources (placed in bench/) against the real project; times each file's check. */
export function typecheck(sources: readonly Source[]): CheckResult {
  const options = compilerOptions();
  const files = new Map([warmup, ...sources].map((s) => [resolve(root, "bench", s.name), s.text]));
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, lang, ...rest) => {
    const text = files.get(resolve(name));
    return text === undefined ? getSourceFile.call(host, name, lang, ...rest) : ts.createSourceFile(name, text, lang);
  };
  host.fileExists = (name) => files.has(resolve(name)) || fileExists.call(host, name);
  host.readFile = (name) => files.get(resolve(name)) ?? readFile.call(host, name);

  const [program, programTime] = timed(() => ts.createProgram([...files.keys()], options, host));
  const show = (ds: readonly ts.Diagnostic[]): string[] => ds.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  const diagnostics: Record<string, string[]> = { "": show([...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]) };
  const check = (name: string): Timing => {
    const file = program.getSourceFile(resolve(root, "bench", name));
    if (file === undefined) throw new Error(`typecheck: expected the generated file ${name} in the program`);
    const [found, time] = timed(() => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]);
    diagnostics[name] = show(found);
    return time;
  };
  const warmupTime = check(warmup.name);
  const checkTimes = Object.fromEntries(sources.map((s) => [s.name, check(s.name)]));
  return { diagnostics, program: programTime, warmup: warmupTime, check: checkTimes };
}

/** `pnpm bench` entry: type-check time of 300 chained typed ops (dense layers, elementwise). */
export async function benchTypecheck(): Promise<string[]> {
  const sources = [mlpChain(100), elementwiseChain(300)];
  const model = nnGenericModel(30);
  const r = typecheck([...sources, model]);
  const found = Object.values(r.diagnostics).flat();
  if (found.length > 0) throw new Error(`typecheck: expected no diagnostics, got ${found.join("\n")}`);
  const show = (t: Timing | undefined): string => (t ? `${t.cpuMs.toFixed(0)} ms CPU (${t.wallMs.toFixed(0)} ms wall)` : "?");
  return [
    `type-check: program creation (parse, lib and core loading) ${show(r.program)}, warm-up check ${show(r.warmup)}`,
    ...sources.map((s) => `type-check ${s.name.replace(/\.ts$/, "")}: 300 chained typed ops checked in ${show(r.check[s.name])}`),
    `type-check ${model.name.replace(/\.ts$/, "")}: a 30-layer model from a shape-generic nn builder, its parameter tree and a typed training state, checked in ${show(r.check[model.name])}`,
  ];
}
