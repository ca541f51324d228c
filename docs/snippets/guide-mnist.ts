import { foldIn, key } from "@typegrad/core";
import { batches, loadMnistOrThrow, meanStd } from "@typegrad/datasets";
import { accuracy, adam, crossEntropy, dense, evaluateModel, fit, relu, sequential } from "@typegrad/nn";

const { train, test, source } = await loadMnistOrThrow({ flatten: true }); // images [N, 784] in 0..1, labels [N] i32
console.log(`${source.kind}${source.subset ? " (a subset)" : ""}: ${train.labels.size} training and ${test.labels.size} test images`);

const stats = meanStd(train.images); // normalise with the training set's mean and std
const model = sequential(dense(784, 128), relu(), dense(128, 10)); // logits for 10 classes

const { ts } = fit({
  model,
  loss: crossEntropy, // softmax cross-entropy from logits and integer labels
  optimizer: adam({ lr: 1e-3 }),
  params: model.init(key(0)),
  data: (epoch) => batches(train.images, train.labels, { batchSize: 128, key: foldIn(key(1), epoch), lastBatch: "drop", normalize: stats }),
  epochs: 3,
  metrics: [accuracy],
  progress: false,
  callbacks: [{ onEpochEnd: (log) => console.log(`epoch ${log.epoch}: loss ${log.loss.toFixed(4)}, accuracy ${(100 * (log.metrics.accuracy ?? 0)).toFixed(2)}%`) }],
});

const result = evaluateModel(model, ts, batches(test.images, test.labels, { batchSize: 500, normalize: stats }), { loss: crossEntropy, metrics: [accuracy] });
console.log(`test: loss ${result.loss?.toFixed(4)}, accuracy ${(100 * (result.accuracy ?? 0)).toFixed(2)}%`);
