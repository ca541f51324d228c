// Runs a two-thread program and returns: the process must exit on its own (workers are unref'd).
// Run by gemm.test.ts in a fresh Node process.
import { compile, input, matmul } from "@typegrad/core";
import { threadsReady } from "../../src/backends/wasm/threads.js";

const a = input("a", [64, 256]);
const b = input("b", [256, 64]);
const f = compile({ a, b }, { c: matmul(a, b) }, { threads: 2 });
const ready = await threadsReady(1);
f.set("a", new Float32Array(64 * 256).fill(1)).set("b", new Float32Array(256 * 64).fill(0.5)).execute();
console.log(JSON.stringify({ ready, c: f.view("c")[0] }));
