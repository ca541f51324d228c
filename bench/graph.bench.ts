// Graph building: how long a forward graph and its gradient take to build, and how large the
// gradient graph grows. test/graph-size.test.ts asserts generous bounds with the same builders.
import { type Expr, add, grad, hvp, input, matmul, mul, relu, sum, tanh, topoSort } from "@typegrad/core";

/** A chain of elementwise layers h ← tanh(h·wᵢ + i/layers) over an [8, 16] input: 7 nodes a layer. */
export function chain(layers: number, tag: string): { loss: Expr; params: Expr[] } {
  let h: Expr = input(`${tag}.x`, [8, 16], "f64");
  const params = Array.from({ length: layers }, (_, i) => input(`${tag}.w${i}`, [16], "f64"));
  params.forEach((w, i) => (h = tanh(add(mul(h, w), i / layers))));
  return { loss: sum(h), params };
}

/** A residual MLP h ← h + relu(h·W1ᵢ + b1ᵢ)·W2ᵢ + b2ᵢ over a symbolic batch, loss Σh². */
export function residualMlp(blocks: number, tag: string, width = 32, hidden = 64): { loss: Expr; params: Expr[] } {
  let h: Expr = input(`${tag}.x`, ["batch", width], "f64");
  const params: Expr[] = [];
  for (let i = 0; i < blocks; i++) {
    const w1 = input(`${tag}.${i}.w1`, [width, hidden], "f64");
    const b1 = input(`${tag}.${i}.b1`, [hidden], "f64");
    const w2 = input(`${tag}.${i}.w2`, [hidden, width], "f64");
    const b2 = input(`${tag}.${i}.b2`, [width], "f64");
    params.push(w1, b1, w2, b2);
    h = add(h, add(matmul(relu(add(matmul(h, w1), b1)), w2), b2));
  }
  return { loss: sum(mul(h, h)), params };
}

/** Builds a graph and its gradient; each call must use a fresh tag, or hash-consing returns the old nodes. */
export function withGradient(build: { loss: Expr; params: Expr[] }): { loss: Expr; grads: Expr[] } {
  return { loss: build.loss, grads: grad(build.loss, build.params) };
}

let fresh = 0;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** Median wall and CPU milliseconds of `runs` calls, each given a tag never used before (CPU time leaves out other processes on a busy machine). */
function time(runs: number, f: (tag: string) => unknown): string {
  const [wall, cpu]: [number[], number[]] = [[], []];
  for (let r = 0; r < runs; r++) {
    const tag = `bench${fresh++}`;
    const [t0, c0] = [performance.now(), process.cpuUsage()];
    f(tag);
    const { user, system } = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((user + system) / 1000);
  }
  return `${median(wall).toFixed(2)} ms (${median(cpu).toFixed(2)} ms CPU)`;
}

/** Report lines: build times of forward graphs, gradients and a Hessian-vector product, with node counts. */
export async function benchGraphBuild(): Promise<string[]> {
  const lines: string[] = [];
  const report = (name: string, build: (tag: string) => { loss: Expr; params: Expr[] }): void => {
    time(3, (tag) => withGradient(build(tag))); // warm-up
    const forwardTime = time(9, build);
    const totalTime = time(9, (tag) => withGradient(build(tag)));
    const { loss, grads } = withGradient(build(`bench${fresh++}`));
    const forward = topoSort([loss]).length;
    const total = topoSort([loss, ...grads]).length;
    lines.push(
      `Graph build, ${name}: forward ${forward} nodes in ${forwardTime}; with gradient ${total} nodes (${(total / forward).toFixed(2)}×) in ${totalTime}`,
    );
  };
  report("chain of 143 tanh layers", (tag) => chain(143, tag));
  report("residual MLP, 100 blocks", (tag) => residualMlp(100, tag));

  const hvpTime = time(5, (tag) => {
    const { loss, params } = chain(143, tag);
    return hvp(loss, params[0] as Expr, params[1] as Expr);
  });
  lines.push(`Graph build, chain of 143 tanh layers: Hessian-vector product (forward + 2 reverse passes) in ${hvpTime}`);
  return lines;
}
