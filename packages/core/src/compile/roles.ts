import type { OpName } from "../ops/index.js";

/**
 * How the compiler treats each primitive:
 * - `leaf`: input or constant, stored in the arena for the program's lifetime;
 * - `alias`: moves no element (reshape, stopGradient), so it shares its input's storage;
 * - `view`: a strided view of its input (broadcast, transpose, slice), read in place by kernels;
 * - `elementwise`: fused with its neighbours into one loop;
 * - `reduce`: ends a fused loop (a trailing reduction);
 * - `kernel`: runs as a step of its own (matmul, gathers, joins, random bits).
 */
export type Role = "leaf" | "alias" | "view" | "elementwise" | "reduce" | "kernel";

/** The role of every primitive; a new op without an entry here fails to type-check. */
export const roles: { readonly [K in OpName]: Role } = {
  input: "leaf",
  constant: "leaf",
  neg: "elementwise",
  exp: "elementwise",
  log: "elementwise",
  sqrt: "elementwise",
  reciprocal: "elementwise",
  sigmoid: "elementwise",
  tanh: "elementwise",
  abs: "elementwise",
  sign: "elementwise",
  sin: "elementwise",
  cos: "elementwise",
  stopGradient: "alias",
  add: "elementwise",
  mul: "elementwise",
  pow: "elementwise",
  maximum: "elementwise",
  minimum: "elementwise",
  compare: "elementwise",
  where: "elementwise",
  cast: "elementwise",
  sum: "reduce",
  max: "reduce",
  reshape: "alias",
  broadcast: "view",
  transpose: "view",
  slice: "view",
  concat: "kernel",
  take: "kernel",
  matmul: "kernel",
  randomBits: "kernel",
};
