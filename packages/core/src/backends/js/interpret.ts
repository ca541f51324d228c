// Steps run by the reference interpreter over arena data: the js backend runs every step this way,
// and the wasm backend the nodes it has no kernel for (f64 arithmetic, for instance).
import { BYTES, type Layout } from "../../compile/memory.js";
import type { CopyStep, NodeStep, Plan } from "../../compile/plan.js";
import { type Data, arrayView } from "../../compile/program.js";
import type { Place } from "../../compile/view.js";
import { primitiveOf } from "../../ops/index.js";
import { type ConcreteShape, sizeOf } from "../../shape/shape.js";
import type { DType } from "../../tensor/dtype.js";
import { Tensor } from "../../tensor/tensor.js";

/** The typed array of `size` elements at a place of the arena. */
export function placeView(memory: ArrayBufferLike, layout: Layout, place: Place, dtype: DType, size: number): Data {
  return arrayView(dtype, memory, (layout.offsets[place.slot] as number) + place.offset * BYTES[dtype], size);
}

/** Evaluates one node with its primitive's reference evaluator, reading and writing the arena. */
export function interpretStep(step: NodeStep, p: Plan, layout: Layout, memory: ArrayBufferLike): () => void {
  const e = step.out;
  const tensorAt = (place: Place, shape: ConcreteShape, dtype: DType): Tensor =>
    new Tensor(shape, dtype, placeView(memory, layout, place, dtype, sizeOf(shape)));
  const args = e.inputs.map((x, i) => tensorAt(step.args[i] as Place, p.shapes.get(x) as ConcreteShape, x.dtype));
  const out = { shape: p.shapes.get(e) as ConcreteShape, dtype: e.dtype };
  const target = tensorAt(step.place, out.shape, out.dtype).data;
  const prim = primitiveOf(e);
  const params = e.params;
  return () => target.set(prim.evaluate(args, params, out).data);
}

/** Copies a donated output into its input. */
export function copyStep(step: CopyStep, layout: Layout, memory: ArrayBufferLike): () => void {
  const from = placeView(memory, layout, step.from, step.dtype, step.size);
  const to = placeView(memory, layout, step.to, step.dtype, step.size);
  return () => to.set(from);
}
