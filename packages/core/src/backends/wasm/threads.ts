// Worker threads for the wasm backend. One pool per process (worker_threads in Node, Web Workers
// in cross-origin-isolated pages) is shared by every program. A worker is a small generic script:
// it receives a program's compiled module and shared memory once, instantiates them, and then runs
// kernel functions signalled through words of a shared Int32Array — with a short spin, then
// Atomics.wait — so a step's parts start within microseconds and no message crosses per step.
// Kernels are split over disjoint outputs only, so the bits never depend on the thread count.

import { BackendError } from "../errors.js";

/**
 * Words of the control array: a countdown of workers still on the job, the failed worker (1-based),
 * whether the main thread is blocked on the countdown, the job's next chunk, then a slot per worker. A worker spins on its
 * generation alone in a 64-byte cache line, so it reads from its own cache until the main thread
 * bumps it (sharing a line with the countdown made every spin a cross-core miss: ~0.5 ms of CPU
 * per step), and each bump costs one transfer of the line (the job's words, in the slot's second
 * line, are written before it).
 */
const PENDING = 0;
const FAILED = 1;
const MAIN_ASLEEP = 2;
/** The next unclaimed chunk of the running job, in a line of its own (every thread takes chunks from it). */
const NEXT = 16;
const SLOTS = 32;
/**
 * A worker's slot: its generation, bumped per command (first line); the command, the instance, the
 * job, whether it has started, and whether it is blocked in Atomics.wait (second line).
 */
const WORDS = 32;
const [COMMAND, INSTANCE, JOB, STARTED, ASLEEP] = [16, 17, 18, 19, 20];
const MAX_WORKERS = 63;
const RUN = 1;
const YIELD = 2;
/** Bytes for a failing worker's message. */
const TEXT = 1024;
/**
 * Microseconds a thread spins on a control word before it blocks in Atomics.wait. A step's split
 * kernels come tens of microseconds apart, and waking a blocked thread costs about as much, so a
 * worker keeps spinning through a whole step (and from one step to the next of a training loop),
 * and blocks once its program has stopped for this long (measured; docs/compile.md).
 */
const SPIN_US = 1000;

/**
 * The worker's script. `loop` runs commands until told to yield; messages (load, drop, resume)
 * arrive between loops, and `resume` re-enters the loop after acknowledging.
 */
const WORKER = `"use strict";
const node = typeof self === "undefined";
const port = node ? require("node:worker_threads").parentPort : self;
const instances = new Map();
let control, text, index, seen = 0;
const finish = () => { if (Atomics.sub(control, ${PENDING}, 1) === 1 && Atomics.load(control, ${MAIN_ASLEEP}) === 1) Atomics.notify(control, ${PENDING}); };
function idle(gen) {
  const end = performance.now() + ${SPIN_US / 1000};
  for (let i = 1; Atomics.load(control, gen) === seen; i++) {
    if ((i & 255) !== 0 || performance.now() < end) continue;
    Atomics.store(control, gen + ${ASLEEP}, 1);
    Atomics.wait(control, gen, seen);
    Atomics.store(control, gen + ${ASLEEP}, 0);
  }
}
function loop() {
  const gen = ${SLOTS} + index * ${WORDS};
  for (;;) {
    idle(gen);
    seen = Atomics.load(control, gen);
    if (control[gen + ${COMMAND}] === ${YIELD}) return;
    try {
      const chunks = instances.get(control[gen + ${INSTANCE}])[control[gen + ${JOB}]];
      for (let c; (c = Atomics.add(control, ${NEXT}, 1)) < chunks.length; ) chunks[c]();
    } catch (e) {
      if (Atomics.compareExchange(control, ${FAILED}, 0, index + 1) === 0) text.set(new TextEncoder().encode(String(e && e.stack || e)).subarray(0, ${TEXT}));
    }
    finish();
  }
}
function receive(m) {
  if (m.kind === "init") {
    ({ control, index } = m);
    text = new Uint8Array(m.text);
    Atomics.store(control, ${SLOTS} + index * ${WORDS} + ${STARTED}, 1);
  }
  else if (m.kind === "load") {
    const env = { memory: m.memory };
    for (const imp of WebAssembly.Module.imports(m.module)) {
      if (imp.kind === "function") env[imp.name] = typeof Math[imp.name] === "function" ? Math[imp.name] : () => { throw new Error(imp.name + " runs on the main thread only"); };
    }
    const exports = new WebAssembly.Instance(m.module, { env }).exports;
    instances.set(m.id, m.jobs.map((count, j) => Array.from({ length: count }, (_, c) => exports["j" + j + "_" + c])));
  } else if (m.kind === "drop") instances.delete(m.id);
  else if (m.kind === "resume") {
    if (m.ack) finish();
    loop();
  }
}
if (node) port.on("message", receive);
else port.onmessage = (e) => receive(e.data);
`;

/** What the pool needs of a Node or browser worker. */
interface Thread {
  post(message: unknown): void;
  terminate(): void;
}

/** Node's worker_threads, where this is Node. */
const nodeWorkers = (): typeof import("node:worker_threads") | undefined => globalThis.process?.getBuiltinModule?.("node:worker_threads");

/**
 * Whether programs can run on threads here: Node, or a browser page that is cross-origin isolated
 * (shared memory needs the COOP/COEP headers); elsewhere programs run on one thread.
 */
export function threadsAvailable(): boolean {
  if (typeof SharedArrayBuffer === "undefined") return false;
  return nodeWorkers() !== undefined || (typeof Worker !== "undefined" && typeof Blob !== "undefined" && globalThis.crossOriginIsolated === true);
}

/** Starts a worker from the script above, or returns why threads are unavailable here. */
function startWorker(onFailure: (reason: string) => void): Thread | string {
  const wt = nodeWorkers();
  if (wt !== undefined) {
    const w = new wt.Worker(WORKER, { eval: true });
    w.unref();
    w.on("error", (e: Error) => onFailure(`failed: ${e.message}`));
    w.on("exit", (code: number) => onFailure(`exited with code ${code}`));
    return { post: (m) => w.postMessage(m), terminate: () => void w.terminate() };
  }
  if (typeof Worker === "undefined" || typeof Blob === "undefined") return "this engine has no worker threads";
  if (globalThis.crossOriginIsolated !== true) return "shared memory needs a cross-origin-isolated page (COOP/COEP headers)";
  const w = new Worker(URL.createObjectURL(new Blob([WORKER], { type: "text/javascript" })));
  w.onerror = (e) => onFailure(`failed: ${e.message}`);
  return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
}

/** The process's workers and their control words. */
class Pool {
  readonly control = new Int32Array(new SharedArrayBuffer((SLOTS + MAX_WORKERS * WORDS) * 4));
  readonly text = new Uint8Array(new SharedArrayBuffer(TEXT));
  readonly workers: Thread[] = [];
  /** Why a worker stopped, once one has. */
  dead: string | undefined;
  /** Instances loaded in the workers: program id → how many workers have it. */
  readonly loaded = new Map<number, number>();
  private readonly released = new FinalizationRegistry<number>((id) => this.drop(id));

  /** Grows the pool to `count` workers; false (single thread) where workers are unavailable. */
  grow(count: number): boolean {
    while (this.workers.length < Math.min(count, MAX_WORKERS)) {
      const index = this.workers.length;
      const w = startWorker((reason) => {
        this.dead ??= `wasm: worker thread ${index + 1} ${reason}`;
      });
      if (typeof w === "string") return false;
      w.post({ kind: "init", control: this.control, text: this.text.buffer, index });
      w.post({ kind: "resume", ack: false });
      // The exit event reaches this thread only when it is idle, and a step blocks it: a worker
      // stopped from here is marked dead at once, so no step ever waits for it.
      this.workers.push({
        post: w.post,
        terminate: () => {
          this.dead ??= `wasm: worker thread ${index + 1} exited (terminated)`;
          w.terminate();
        },
      });
    }
    return true;
  }

  /** Whether workers 0..count-1 have started (a browser starts them only when its main thread is free). */
  ready(count: number): boolean {
    for (let w = 0; w < count; w++) if (Atomics.load(this.control, SLOTS + w * WORDS + STARTED) !== 1) return false;
    return true;
  }

  /** Delivers messages to workers 0..count-1 and waits until each has read them. */
  sync(count: number, messages: (worker: number) => readonly unknown[]): void {
    Atomics.store(this.control, PENDING, count);
    for (let w = 0; w < count; w++) {
      const t = this.workers[w] as Thread;
      for (const m of messages(w)) t.post(m);
      t.post({ kind: "resume", ack: true });
      this.signal(w, YIELD, 0, 0);
    }
    this.wait();
  }

  /** Makes program `id` (its module and memory, and the chunk count of each job it splits) known to the first `count` workers. */
  load(id: number, owner: object, count: number, module: WebAssembly.Module, memory: WebAssembly.Memory, jobs: readonly number[]): void {
    const have = this.loaded.get(id) ?? 0;
    if (have >= count) return;
    if (have === 0) this.released.register(owner, id);
    this.loaded.set(id, count);
    this.sync(count, (w) => (w < have ? [] : [{ kind: "load", id, module, memory, jobs }]));
  }

  /** Forgets a collected program in every worker that has it (delivered with the next sync). */
  private drop(id: number): void {
    const have = this.loaded.get(id) ?? 0;
    this.loaded.delete(id);
    for (let w = 0; w < have; w++) this.workers[w]?.post({ kind: "drop", id });
  }

  /**
   * Runs `job` of instance `id` (its `chunks` here) on this thread and workers 0..count-1: each
   * thread takes the next unclaimed chunk until none is left, so a worker that starts late or runs
   * slowly (a busy core) takes fewer chunks instead of holding up the step.
   */
  run(id: number, job: number, count: number, chunks: readonly (() => void)[]): void {
    if (this.dead !== undefined) throw new BackendError(this.dead);
    const c = this.control;
    Atomics.store(c, NEXT, 0);
    Atomics.store(c, PENDING, count);
    for (let w = 0; w < count; w++) this.signal(w, RUN, id, job);
    try {
      for (let i; (i = Atomics.add(c, NEXT, 1)) < chunks.length; ) (chunks[i] as () => void)();
    } finally {
      // Even when a chunk here throws, the workers finish theirs before the next job resets the counter.
      this.wait();
    }
  }

  private signal(w: number, command: number, id: number, job: number): void {
    const gen = SLOTS + w * WORDS;
    this.control[gen + COMMAND] = command;
    this.control[gen + INSTANCE] = id;
    this.control[gen + JOB] = job;
    Atomics.add(this.control, gen, 1);
    // A spinning worker sees the bump by itself; one that may have blocked (it raises its flag
    // before waiting, and the wait returns at once if the generation has moved) needs the notify.
    if (Atomics.load(this.control, gen + ASLEEP) === 1) Atomics.notify(this.control, gen);
  }

  /** Waits for every signalled worker: a spin, then Atomics.wait where this thread may block. */
  private wait(): void {
    const c = this.control;
    const end = performance.now() + SPIN_US / 1000;
    for (let i = 1; Atomics.load(c, PENDING) !== 0; i++) {
      if ((i & 255) !== 0 || performance.now() < end) continue;
      const pending = Atomics.load(c, PENDING);
      if (pending === 0) break;
      if (this.dead !== undefined) throw new BackendError(this.dead);
      // Raised before blocking, so a worker bringing the count to zero notifies (the wait returns at once if it already has).
      Atomics.store(c, MAIN_ASLEEP, 1);
      try {
        Atomics.wait(c, PENDING, pending, 100);
      } catch {
        // A browser's main thread may not block: keep spinning.
      }
      Atomics.store(c, MAIN_ASLEEP, 0);
    }
    const failed = Atomics.load(c, FAILED);
    if (failed !== 0) {
      const message = new TextDecoder().decode(this.text.slice()).replace(/\0+$/, "");
      this.dead = `wasm: worker thread ${failed} failed: ${message}`;
      throw new BackendError(this.dead);
    }
  }
}

let pool: Pool | undefined;
let unavailable = false;

/**
 * The shared pool, grown to at least `count` workers, or undefined where threads are unavailable.
 * A pool with a dead worker is replaced (its programs keep failing with its error).
 */
export function workers(count: number): Pool | undefined {
  if (unavailable || !threadsAvailable()) return undefined;
  if (pool?.dead !== undefined) {
    for (const w of pool.workers) w.terminate();
    pool = undefined;
  }
  pool ??= new Pool();
  unavailable = !pool.grow(count);
  return unavailable ? undefined : pool;
}

/** Resolves once `count` workers have started (false where threads are unavailable); tests wait on it. */
export async function threadsReady(count: number): Promise<boolean> {
  for (;;) {
    const p = workers(count);
    if (p === undefined) return false;
    if (p.ready(count)) return true;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Cores available to this process (Node's availableParallelism, the browser's hardwareConcurrency). */
export function cores(): number {
  const os = globalThis.process?.getBuiltinModule?.("node:os");
  if (os !== undefined) return os.availableParallelism();
  return globalThis.navigator?.hardwareConcurrency ?? 1;
}

let nextId = 1;

/** A fresh id for a threaded program instance. */
export const instanceId = (): number => nextId++;

export type { Pool };
