// MNIST digits with a 784-256-10 network (examples/mnist/model.ts has the recipe): trained with
// `fit` on shifted digits, validated on digits held out of the training split, tested once.
//   tsx --conditions=@typegrad/source examples/mnist/main.ts [epochs]
import { foldIn, key } from "@typegrad/core";
import { batches, loadMnistOrThrow, meanStd } from "@typegrad/datasets";
import { accuracy, crossEntropy, evaluateModel, fit } from "@typegrad/nn";
import { MNIST_RECIPE, mnistModel, mnistOptimizer, shiftDigits, splitValidation } from "./model.js";

const started = performance.now();
const epochs = Number(process.argv[2] ?? MNIST_RECIPE.epochs);
const { train, test, source } = await loadMnistOrThrow({ flatten: true }); // says where the data came from
const { fit: fitSplit, validation } = splitValidation(train);
console.log(`${MNIST_RECIPE.name}: fitting ${fitSplit.labels.size} digits, validating on ${validation.labels.size} held out, testing on ${test.labels.size}`);

const stats = meanStd(fitSplit.images);
const { batchSize } = MNIST_RECIPE;
const model = mnistModel();
const shifted = new Float32Array(fitSplit.images.size);
const trainingStarted = performance.now();
const { ts } = fit({
  model,
  loss: crossEntropy,
  optimizer: mnistOptimizer(Math.floor(fitSplit.labels.size / batchSize), epochs),
  params: model.init(key(0)),
  data: (epoch) => batches(shiftDigits(fitSplit.images, epoch, shifted), fitSplit.labels, { batchSize, key: foldIn(key(1), epoch), lastBatch: "drop", normalize: stats }),
  validation: () => batches(validation.images, validation.labels, { batchSize: 500, normalize: stats }),
  epochs,
  metrics: [accuracy],
});
const training = (performance.now() - trainingStarted) / 1000;

const result = evaluateModel(model, ts, batches(test.images, test.labels, { batchSize: 500, normalize: stats }), { loss: crossEntropy, metrics: [accuracy] });
const split = source.subset ? "the embedded subset's test split" : "the test set";
console.log(`test accuracy ${((result.accuracy ?? 0) * 100).toFixed(2)}% on ${split} (loss ${result.loss?.toFixed(4)})`);
console.log(`training ${training.toFixed(1)} s, wall time ${((performance.now() - started) / 1000).toFixed(1)} s`);
