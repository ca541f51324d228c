/** Fashion-MNIST: 70,000 Zalando article images, 28×28 grey bytes, 10 clothing classes. */
import type { taskEither as TE } from "fp-ts";
import type { DatasetError } from "./errors.js";
import { type ImageDataset, type Images2d, type ImagesFlat, type LoadOptions, loadImageDataset, orThrow } from "./load.js";
import { DEBIAN_FASHION_MNIST_DIR } from "./sources/debian.js";
import type { DatasetSpec } from "./spec.js";

/**
 * The official files (Zalando's S3 bucket and GitHub repository). SHA-256 and MD5 of the gzip
 * files as published; `rawSha256` of the inflated data, which is what Debian's recompressed copies
 * match (checked against `dataset-fashion-mnist` 0.0~git20200523).
 */
export const FASHION_MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte.gz",
    sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    rawSha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    md5: "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
    maxBytes: 30_000_000,
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte.gz",
    sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    rawSha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    md5: "25c81989df183df01b3e8a0aad5dffbe",
    maxBytes: 1_000_000,
  },
  testImages: {
    name: "t10k-images-idx3-ubyte.gz",
    sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    rawSha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    md5: "bef4ecab320f06d8554ea6380940ec79",
    maxBytes: 6_000_000,
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte.gz",
    sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    rawSha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    md5: "bb300cfdad3c16e7a12a480ee83cd310",
    maxBytes: 1_000_000,
  },
} as const;

/** Fashion-MNIST: files, mirrors, counts, class names and source order (with Debian's package). */
export const FASHION_MNIST: DatasetSpec = {
  id: "fashion-mnist",
  title: "Fashion-MNIST",
  files: FASHION_MNIST_FILES,
  mirrors: [
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
  ],
  counts: { train: 60_000, test: 10_000 },
  classes: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
  systemDir: DEBIAN_FASHION_MNIST_DIR,
  sources: ["cache", "debian", "download"],
};

/**
 * Loads Fashion-MNIST: images `[N, 28, 28]` (or `[N, 784]` with `flatten: true`) as f32 in 0..1,
 * labels `[N]` as i32. Sources, in order: `options.dir` if given, the cache, Debian's
 * `dataset-fashion-mnist` directory, a download into the cache. There is no offline subset.
 * @example
 * const r = await loadFashionMnist()();
 * if (E.isRight(r)) console.log(r.right.classes[r.right.train.labels.data[0] ?? 0]);
 */
export function loadFashionMnist(options: LoadOptions & { readonly flatten: true }): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat>>;
export function loadFashionMnist(options?: LoadOptions & { readonly flatten?: false }): TE.TaskEither<DatasetError, ImageDataset<Images2d>>;
export function loadFashionMnist(options: LoadOptions): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>>;
export function loadFashionMnist(options: LoadOptions = {}): TE.TaskEither<DatasetError, ImageDataset<ImagesFlat | Images2d>> {
  return loadImageDataset(FASHION_MNIST, options);
}

/**
 * `loadFashionMnist` for scripts: resolves to the dataset or throws a `DatasetLoadError`.
 * @example
 * const { train } = await loadFashionMnistOrThrow({ flatten: true }); // train.images: [60000, 784]
 */
export function loadFashionMnistOrThrow(options: LoadOptions & { readonly flatten: true }): Promise<ImageDataset<ImagesFlat>>;
export function loadFashionMnistOrThrow(options?: LoadOptions & { readonly flatten?: false }): Promise<ImageDataset<Images2d>>;
export function loadFashionMnistOrThrow(options: LoadOptions): Promise<ImageDataset<ImagesFlat | Images2d>>;
export function loadFashionMnistOrThrow(options: LoadOptions = {}): Promise<ImageDataset<ImagesFlat | Images2d>> {
  return orThrow(loadImageDataset(FASHION_MNIST, options));
}
