export { type IdxError, type DatasetError, type SourceKind, type SourceAttempt, DatasetLoadError } from "./errors.js";
export { type IdxDType, type IdxArray, type IdxArrayOf, type IdxArrays, type ParseIdxOptions, parseIdx, parseIdxAsync, encodeIdx } from "./idx.js";
export { type IdxFileSpec, type DatasetFiles, type DatasetSpec, type SplitCounts } from "./spec.js";
export {
  type LoadOptions,
  type SourceInfo,
  type DataSplit,
  type ImageDataset,
  type Images2d,
  type ImagesFlat,
  loadImageDataset,
} from "./load.js";
export { type DownloadOptions, type DownloadProgress } from "./sources/download.js";
export { DEBIAN_FASHION_MNIST_DIR } from "./sources/debian.js";
export { MNIST, MNIST_FILES, loadMnist, loadMnistOrThrow, loadEmbeddedMnist } from "./mnist.js";
export { type EmbeddedOptions, EMBEDDED_MNIST_FILES, EMBEDDED_MNIST_COUNTS, embeddedMnistUrls } from "./embedded.js";
export { FASHION_MNIST, FASHION_MNIST_FILES, loadFashionMnist, loadFashionMnistOrThrow } from "./fashionMnist.js";
export {
  type LastBatch,
  type Normalization,
  type BatchOptions,
  type TargetDType,
  type OneHotBatch,
  batches,
  numBatches,
  oneHot,
  meanStd,
  normalize,
  scale,
} from "./batches.js";
