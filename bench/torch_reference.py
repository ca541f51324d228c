"""PyTorch on the bench's workloads, for ratios on the machine at hand (not part of `pnpm bench`:
PyTorch is too heavy to install in CI). Same shapes as bench/workloads.ts: the GEMMs, the two
MLPs (ReLU, softmax cross-entropy, Adam lr 1e-3, batch 128) and the 1-2-5-1 regression (sigmoid,
MSE, Adam lr 0.02, one sample per step), on 1 and 2 threads.

    python3 bench/torch_reference.py            # needs torch (Debian: apt-get install python3-torch)
"""
import os
import statistics
import time

import torch


def median_rate(run, work, repeats=5, min_seconds=0.5):
    """Median over `repeats` timed runs of work units per second; each run calls `run` until it
    has lasted `min_seconds` (after one untimed call)."""
    run()
    rates = []
    for _ in range(repeats):
        calls, start = 0, time.perf_counter()
        while True:
            run()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= min_seconds:
                break
        rates.append(calls * work / elapsed)
    return statistics.median(rates)


def gemm(m, k, n):
    a, b = torch.rand(m, k) * 2 - 1, torch.rand(k, n) * 2 - 1
    return median_rate(lambda: torch.mm(a, b), 2 * m * k * n) / 1e9


def mlp(sizes, batch=128):
    layers = []
    for i in range(len(sizes) - 1):
        layers += [torch.nn.Linear(sizes[i], sizes[i + 1]), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1])
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    xs = [torch.rand(batch, sizes[0]) for _ in range(8)]
    ys = [torch.randint(0, sizes[-1], (batch,)) for _ in range(8)]
    state = {"i": 0}

    def step():
        i = state["i"] = (state["i"] + 1) % len(xs)
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(xs[i]), ys[i])
        loss.backward()
        opt.step()

    return median_rate(step, batch)


def regression():
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(1, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 5), torch.nn.Sigmoid(), torch.nn.Linear(5, 1))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    xs = torch.linspace(0, 3, 100).reshape(100, 1, 1)
    ys = 2.3 * xs + 4.7

    def epoch():
        for x, y in zip(xs, ys):
            opt.zero_grad()
            torch.nn.functional.mse_loss(model(x), y).backward()
            opt.step()

    return median_rate(epoch, 100, repeats=3)


if __name__ == "__main__":
    blas = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    print(f"torch {torch.__version__}, {os.cpu_count()} CPUs, BLAS {blas}")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for m, k, n in ((128, 784, 128), (512, 512, 512), (1024, 1024, 1024), (2048, 2048, 2048)):
            print(f"GEMM [{m},{k}]×[{k},{n}], {threads} thread(s): {gemm(m, k, n):.1f} GFLOP/s")
        for sizes in ((784, 128, 10), (784, 512, 512, 10)):
            print(f"MLP {'-'.join(map(str, sizes))} train, batch 128, {threads} thread(s): {mlp(sizes):,.0f} samples/s")
    torch.set_num_threads(1)
    print(f"Regression 1-2-5-1, Adam, 1 sample/step, 1 thread: {regression():,.0f} steps/s")
