// The training worker: loads the embedded digits (gzip IDX over fetch), runs `fit`, and posts
// progress events and a parameter snapshot after every epoch. `fit` is synchronous, which is fine
// here: it blocks only this thread. The page stops a run by terminating the worker.
import { foldIn, key } from "@typegrad/core";
import { batches, loadEmbeddedMnist, numBatches } from "@typegrad/datasets";
import { accuracy, adam, crossEntropy, fit, packTree, postProgress } from "@typegrad/nn";
import { type FromWorker, type TrainRequest, digitModel } from "./digits.js";

const post = (message: FromWorker, transfer: ArrayBuffer[] = []): void => self.postMessage(message, { transfer });

async function train(request: TrainRequest): Promise<void> {
  const began = performance.now();
  const loaded = await loadEmbeddedMnist({ flatten: true })();
  if (loaded._tag === "Left") return post({ type: "error", message: `loading the digits failed: ${loaded.left.message}` });
  const { train, test } = loaded.right;
  const n = train.images.shape[0];
  post({ type: "data", train: n, test: test.images.shape[0], batchesPerEpoch: numBatches(n, request.batchSize, "drop"), seconds: (performance.now() - began) / 1000 });
  fit({
    model: digitModel,
    loss: crossEntropy,
    optimizer: adam({ lr: request.lr }),
    params: digitModel.init(key(0)),
    data: (epoch) => batches(train.images, train.labels, { batchSize: request.batchSize, key: foldIn(key(1), epoch), lastBatch: "drop" }),
    validation: () => batches(test.images, test.labels, { batchSize: 512 }),
    epochs: request.epochs,
    metrics: [accuracy],
    progress: false,
    callbacks: [
      postProgress((event) => post({ type: "progress", event }), { everyMs: 50 }),
      {
        onEpochEnd: (log, ts) => {
          const { message, transfer } = packTree(ts.params);
          post({ type: "snapshot", epoch: log.epoch, params: message }, transfer);
        },
      },
    ],
  });
  post({ type: "done", seconds: (performance.now() - began) / 1000 });
}

self.onmessage = (e: MessageEvent<TrainRequest>) => {
  train(e.data).catch((err: unknown) => post({ type: "error", message: err instanceof Error ? err.message : String(err) }));
};
