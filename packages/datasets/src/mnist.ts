/** MNIST: 70,000 handwritten digits, 28×28 grey bytes, labels 0–9. */
import { taskEither as TE } from "fp-ts";
import type { DatasetError } from "./errors.js";
import { type ImageDataset, type Images2d, type ImagesFlat, type LoadOptions, loadImageDataset, orThrow } from "./load.js";
import type { DatasetSpec } from "./spec.js";

/**
 * The official files. SHA-256 of the gzip files as mirrored by torchvision and TensorFlow (the same
 * files as LeCun's originals); MD5 as in torchvision; `rawSha256` of the inflated IDX data.
 */
export const MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte.gz",
    sha256: "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
    rawSha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    maxBytes: 12_000_000,
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte.gz",
    sha256: "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
    rawSha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    md5: "d53e105ee54ea40749a09fcbcd1e9432",
    maxBytes: 1_000_000,
  },
  testImages: {
    name: "t10k-images-idx3-ubyte.gz",
    sha256: "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
    rawSha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    md5: "9fb629c4189551a2d022fa330f9573f3",
    maxBytes: 3_000_000,
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte.gz",
    sha256: "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
    rawSha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    md5: "ec29112dd5afa0611ce80d1b7f02629c",
    maxBytes: 1_000_000,
  },
} as const;

/** MNIST: files, mirrors (torchvision's, TensorFlow's, LeCun's), counts and source order. */
export const MNIST: DatasetSpec = {
  id: "mnist",
  title: "MNIST",
  files: MNIST_FILES,
  mirrors: [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
  ],
  counts: { train: 60_000, test: 10_000 },
  classes: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
  sources: ["cache", "download", "embedded"],
};

/**
 * Loads MNIST: images `[N, 28, 28]` (or `[N, 784]` with `flatten: true`) as f32 in 0..1, labels
 * `[N]` as i32. Sources, in order: `options.dir` if given, the cache, a download (into the cache),
 * and offline the 10,000 digits embedded in this package (`loadEmbeddedMnist`), flagged `source.subset`.
 * @example
 * const r = await loadMnist({ flatten: true })();
 * if (E.isRight(r)) console.log(r.right.train.images.shape, r.right.source.note); // [60000, 784]
 */
export function loadMnist(options: LoadOptions & { readonly flatten: true }): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat>>;
export function loadMnist(options?: LoadOptions & { readonly flatten?: false }): TE.TaskEither<DatasetError, ImageDataset<Images2d>>;
export function loadMnist(options: LoadOptions): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>>;
export function loadMnist(options: LoadOptions = {}): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>> {
  return loadImageDataset(MNIST, options);
}

/**
 * `loadMnist` for scripts: resolves to the dataset or throws a `DatasetLoadError`.
 * @example
 * const { train, test } = await loadMnistOrThrow({ flatten: true });
 */
export function loadMnistOrThrow(options: LoadOptions & { readonly flatten: true }): Promise<ImageDataset<ImagesFlat>>;
export function loadMnistOrThrow(options?: LoadOptions & { readonly flatten?: false }): Promise<ImageDataset<Images2d>>;
export function loadMnistOrThrow(options: LoadOptions): Promise<ImageDataset<ImagesFlat | Images2d>>;
export function loadMnistOrThrow(options: LoadOptions = {}): Promise<ImageDataset<ImagesFlat | Images2d>> {
  return orThrow(loadImageDataset(MNIST, options));
}

/**
 * Only the embedded subset: 10,000 real MNIST digits shipped in this package, 8,576 train / 1,424
 * test, verified by SHA-256, with no log line; a failure is the source's own error. Node reads them from the package; browsers fetch
 * them (pass `embedded: { url }` when a bundler serves them elsewhere).
 * @example
 * const r = await loadEmbeddedMnist({ flatten: true, embedded: { url: "/assets/mnist-subset/" } })();
 */
export function loadEmbeddedMnist(options: LoadOptions & { readonly flatten: true }): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat>>;
export function loadEmbeddedMnist(options?: LoadOptions & { readonly flatten?: false }): TE.TaskEither<DatasetError, ImageDataset<Images2d>>;
export function loadEmbeddedMnist(options: LoadOptions): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>>;
export function loadEmbeddedMnist(options: LoadOptions = {}): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>> {
  const load = loadImageDataset<ImagesFlat | Images2d>(MNIST, { log: () => undefined, ...options, sources: ["embedded"] });
  // One source: its own error says more than "no source could provide the data".
  return TE.mapLeft((e: DatasetError) => (e._tag === "NoSource" ? (e.attempts[0]?.error ?? e) : e))(load);
}
