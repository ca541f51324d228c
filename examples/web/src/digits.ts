// What the page and its training worker share: the model and the messages between them.
import { dense, dropout, relu, sequential } from "@typegrad/nn";
import type { PackedTree, TrainEvent } from "@typegrad/nn";

/** 784 → 128 → 10 with dropout; inputs are pixels in 0..1, outputs logits. */
export const digitModel = sequential(dense(784, 128), relu(), dropout(0.2), dense(128, 10));

/** Training settings the page sends. */
export interface TrainRequest {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
}

/** What the worker posts: the data it loaded, progress, parameter snapshots, and failures. */
export type FromWorker =
  | { readonly type: "data"; readonly train: number; readonly test: number; readonly batchesPerEpoch: number; readonly seconds: number }
  | { readonly type: "progress"; readonly event: TrainEvent }
  | { readonly type: "snapshot"; readonly epoch: number; readonly params: PackedTree }
  | { readonly type: "done"; readonly seconds: number }
  | { readonly type: "error"; readonly message: string };
