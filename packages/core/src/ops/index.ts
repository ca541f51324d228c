// The one list of primitives. OpName and every per-op table derive from it: a table typed as
// `{ [K in OpName]: … }` fails to compile when an op is added without its entry.
import type { Expr } from "../graph/expr.js";
import type { Primitive, Traits } from "../graph/primitive.js";
import { absOp } from "./abs.js";
import { addOp } from "./add.js";
import { broadcastOp } from "./broadcast.js";
import { castOp } from "./cast.js";
import { compareOp } from "./compare.js";
import { concatOp } from "./concat.js";
import { constantOp } from "./constant.js";
import { cosOp } from "./cos.js";
import { expOp } from "./exp.js";
import { inputOp } from "./input.js";
import { logOp } from "./log.js";
import { matmulOp } from "./matmul.js";
import { maxOp } from "./max.js";
import { maximumOp } from "./maximum.js";
import { minimumOp } from "./minimum.js";
import { mulOp } from "./mul.js";
import { negOp } from "./neg.js";
import { powOp } from "./pow.js";
import { randomBitsOp } from "./randomBits.js";
import { reciprocalOp } from "./reciprocal.js";
import { reshapeOp } from "./reshape.js";
import { sigmoidOp } from "./sigmoid.js";
import { signOp } from "./sign.js";
import { sinOp } from "./sin.js";
import { sliceOp } from "./slice.js";
import { sqrtOp } from "./sqrt.js";
import { stopGradientOp } from "./stopGradient.js";
import { sumOp } from "./sum.js";
import { takeOp } from "./take.js";
import { tanhOp } from "./tanh.js";
import { transposeOp } from "./transpose.js";
import { whereOp } from "./where.js";

export const primitives = {
  input: inputOp,
  constant: constantOp,
  neg: negOp,
  exp: expOp,
  log: logOp,
  sqrt: sqrtOp,
  reciprocal: reciprocalOp,
  sigmoid: sigmoidOp,
  tanh: tanhOp,
  abs: absOp,
  sign: signOp,
  sin: sinOp,
  cos: cosOp,
  stopGradient: stopGradientOp,
  add: addOp,
  mul: mulOp,
  pow: powOp,
  maximum: maximumOp,
  minimum: minimumOp,
  compare: compareOp,
  where: whereOp,
  sum: sumOp,
  max: maxOp,
  reshape: reshapeOp,
  broadcast: broadcastOp,
  transpose: transposeOp,
  slice: sliceOp,
  concat: concatOp,
  take: takeOp,
  matmul: matmulOp,
  cast: castOp,
  randomBits: randomBitsOp,
};

/** The name of a primitive. */
export type OpName = keyof typeof primitives;

/** The params of each primitive. */
export type OpParams = { [K in OpName]: (typeof primitives)[K] extends { evaluate: (i: never, p: infer P, o: never) => unknown } ? P : never };

/**
 * The primitive of a node, typed over every op. The one retyping of the op list: indexing
 * `primitives` by a name that is any op gives a union of primitives, whose functions no argument
 * satisfies; each node's params are its op's by construction (`apply` builds them together).
 */
export const primitiveOf = (e: Expr): Primitive<OpName, OpParams[OpName]> => primitives[e.op] as Primitive<OpName, OpParams[OpName]>;

/** How the compiler, the simplifier and the law suite treat an op, as its file declares. */
export const traitsOf = (op: OpName): Traits => primitives[op].traits;
