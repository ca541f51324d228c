// MNIST digits with a 784-128-10 network and softmax cross-entropy.
//   tsx --conditions=@typegrad/source examples/mnist/main.ts [epochs]
import { foldIn, key } from "@typegrad/core";
import { batches, loadMnistOrThrow, meanStd } from "@typegrad/datasets";
import { accuracy, adam, crossEntropy, dense, evaluateModel, fit, relu, sequential } from "@typegrad/nn";

const epochs = Number(process.argv[2] ?? 5);
const { train, test } = await loadMnistOrThrow({ flatten: true });   // says where the data came from
console.log(`train ${train.images.shape[0]} images, test ${test.images.shape[0]}`);

const stats = meanStd(train.images);
const testBatches = () => batches(test.images, test.labels, { batchSize: 500, normalize: stats });
const model = sequential(dense(784, 128), relu(), dense(128, 10));

const { ts } = fit({
  model,
  loss: crossEntropy,
  optimizer: adam({ lr: 1e-3 }),
  params: model.init(key(0)),
  data: (epoch) => batches(train.images, train.labels, { batchSize: 128, key: foldIn(key(1), epoch), lastBatch: "drop", normalize: stats }),
  validation: testBatches,
  epochs,
  metrics: [accuracy],
});

const result = evaluateModel(model, ts, testBatches(), { loss: crossEntropy, metrics: [accuracy] });
console.log(`test accuracy ${((result.accuracy ?? 0) * 100).toFixed(2)}%  (loss ${result.loss?.toFixed(4)})`);
