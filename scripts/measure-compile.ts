// Quick local figures for the compiler (not a test, not the official benchmarks in bench/):
// GEMM throughput, compile time of a training step, and steps per second of a tiny Adam step.
// Run: npx tsx --conditions=@typegrad/source scripts/measure-compile.ts
// (TYPEGRAD_RELAXED_SIMD=1 and, on Node 20, --experimental-wasm-relaxed-simd measure the relaxed-SIMD multiply-add)
import {
  type Expr, type Shape, add, compile, constant, grad, input, matmul, mul, pow, reciprocal, sqrt, sub, sum, tanh, tensor, transpose,
} from "../packages/core/src/index.js";

const now = (): number => performance.now();
/** CPU seconds of this process: on a shared machine, wall time also counts other processes' turns. */
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const random = (shape: number[]) => tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.random() - 0.5), { shape });

function gemm(label: string, a: Expr, b: Expr, y: Expr, m: number, k: number, n: number): void {
  const names = [a, b].map((e) => (e.params as { name: string }).name);
  const f = compile({ [names[0] as string]: a, [names[1] as string]: b }, { y }, { relaxedSimd: process.env.TYPEGRAD_RELAXED_SIMD === "1" });
  f.set(names[0] as string, random([...a.shape] as number[])).set(names[1] as string, random([...b.shape] as number[]));
  for (let i = 0; i < 20; i++) f.execute();
  let reps = 0;
  const [start, cpu0] = [now(), cpu()];
  while (now() - start < 1000) {
    f.execute();
    reps++;
  }
  const [seconds, cpuSeconds] = [(now() - start) / 1000, cpu() - cpu0];
  const flop = 2 * m * k * n * reps;
  console.log(`${label}: ${(flop / cpuSeconds / 1e9).toFixed(1)} GFLOP/s per CPU-second (${(flop / seconds / 1e9).toFixed(1)} wall)`);
}

const [m, k, n] = [128, 784, 128];
gemm("GEMM [128,784]·[784,128]", input("a", [m, k]), input("b", [k, n]), matmul(input("a", [m, k]), input("b", [k, n])), m, k, n);
gemm("GEMM Xᵀ·dY [784,128]ᵀ… ([128,784]ᵀ·[128,128])", input("x", [m, k]), input("dy", [m, n]), matmul(transpose(input("x", [m, k])), input("dy", [m, n])), k, m, n);
gemm("GEMM dY·Wᵀ ([128,128]·[784,128]ᵀ)", input("dy", [m, n]), input("w", [k, n]), matmul(input("dy", [m, n]), transpose(input("w", [k, n]))), m, n, k);

/** A 1-2-5-1 tanh regression step with Adam, parameters and moments donated. */
function adamStep(sizes: number[], batch: number) {
  const x = input("x", [batch, sizes[0] as number]);
  const y = input("y", [batch, sizes[sizes.length - 1] as number]);
  const t = input("t", []);
  const inputs: Record<string, Expr> = { x, y, t };
  const params: Expr<Shape, "f32">[] = [];
  let h: Expr<Shape, "f32"> = x;
  sizes.slice(1).forEach((d, i) => {
    const w = input(`w${i}`, [sizes[i] as number, d]);
    const b = input(`b${i}`, [d]);
    params.push(w, b);
    const z = add(matmul(h, w), b);
    h = i === sizes.length - 2 ? z : tanh(z);
  });
  const err = sub(h, y);
  const loss = mul(sum(mul(err, err)), 0.5);
  const grads = grad(loss, params);
  const outputs: Record<string, Expr> = { loss };
  const donate: Record<string, string> = {};
  const c1 = reciprocal(sub(1, pow(constant(0.9), t)));
  const c2 = reciprocal(sub(1, pow(constant(0.999), t)));
  params.forEach((p, i) => {
    const name = (p.params as { name: string }).name;
    const [m0, v0] = [input(`m_${name}`, p.shape), input(`v_${name}`, p.shape)];
    Object.assign(inputs, { [name]: p, [`m_${name}`]: m0, [`v_${name}`]: v0 });
    const g = grads[i] as Expr;
    const m1 = add(mul(m0, 0.9), mul(g, 0.1));
    const v1 = add(mul(v0, 0.999), mul(mul(g, g), 0.001));
    Object.assign(outputs, { [`${name}'`]: sub(p, mul(mul(mul(m1, c1), reciprocal(add(sqrt(mul(v1, c2)), 1e-8))), 0.01)), [`m_${name}'`]: m1, [`v_${name}'`]: v1 });
    Object.assign(donate, { [`${name}'`]: name, [`m_${name}'`]: `m_${name}`, [`v_${name}'`]: `v_${name}` });
  });
  return { inputs, outputs, donate };
}

{
  const { inputs, outputs, donate } = adamStep([1, 2, 5, 1], 1);
  let start = now();
  const f = compile(inputs, outputs, { donate });
  console.log(`compile 1-2-5-1 Adam step (first compile in the process): ${(now() - start).toFixed(1)} ms`);
  for (const [name, e] of Object.entries(inputs)) f.set(name, name.startsWith("m_") || name.startsWith("v_") ? tensor(new Float32Array(e.shape.reduce((a: number, d) => a * (d as number), 1)), { shape: [...e.shape] as number[] }) : random([...e.shape] as number[]));
  const [x, y, t] = [new Float32Array(1), new Float32Array(1), new Float32Array(1)];
  const steps = 300_000;
  const run = (count: number): void => {
    for (let i = 0; i < count; i++) {
      x[0] = (i % 100) / 50 - 1;
      y[0] = Math.sin(3 * (x[0] as number));
      t[0] = i + 1;
      f.set("x", x).set("y", y).set("t", t);
      f.execute();
    }
  };
  run(20_000);
  start = now();
  const cpu0 = cpu();
  run(steps);
  const [seconds, cpuSeconds] = [(now() - start) / 1000, cpu() - cpu0];
  const rate = (s: number): string => Math.round(steps / s).toLocaleString("en");
  console.log(`1-2-5-1 Adam step (one sample): ${rate(cpuSeconds)} steps per CPU-second (${rate(seconds)} wall), loss ${f.get("loss").item().toExponential(2)}`);
}
{
  for (const sizes of [[1, 2, 5, 1], [784, 128, 10], [784, 256, 128, 10]]) {
    const { inputs, outputs, donate } = adamStep(sizes, 128);
    const [start, cpu0] = [now(), cpu()];
    compile(inputs, outputs, { donate });
    console.log(`compile ${sizes.join("-")} Adam step (batch 128): ${(now() - start).toFixed(1)} ms (${((cpu() - cpu0) * 1000).toFixed(1)} ms CPU)`);
  }
}
