/** What a dataset of four IDX files is: file names, checksums, mirrors and expected sizes. */
import type { SourceKind } from "./errors.js";

/** One official file: its name on the mirrors and the checksums it is verified against. */
export interface IdxFileSpec {
  /** File name on the mirrors and in the cache, e.g. "train-images-idx3-ubyte.gz". */
  readonly name: string;
  /** SHA-256 (hex) of the official gzip file as published. */
  readonly sha256: string;
  /**
   * SHA-256 (hex) of the inflated IDX data. It identifies the same content recompressed (Debian's
   * copies have other gzip headers) or stored uncompressed.
   */
  readonly rawSha256?: string;
  /** MD5 of the official gzip file, as torchvision publishes it; informational (WebCrypto has no MD5). */
  readonly md5?: string;
  /** Upper bound for a download of this file, in bytes. */
  readonly maxBytes?: number;
}

/** The four files of an MNIST-style dataset. */
export interface DatasetFiles {
  readonly trainImages: IdxFileSpec;
  readonly trainLabels: IdxFileSpec;
  readonly testImages: IdxFileSpec;
  readonly testLabels: IdxFileSpec;
}

/** Number of samples per split. */
export interface SplitCounts {
  readonly train: number;
  readonly test: number;
}

/** Everything the generic loader needs to know about one dataset. */
export interface DatasetSpec {
  /** Cache subdirectory and identifier, e.g. "fashion-mnist". */
  readonly id: string;
  /** Name used in messages, e.g. "Fashion-MNIST". */
  readonly title: string;
  readonly files: DatasetFiles;
  /** Base URLs, each followed by a file name; tried in order. */
  readonly mirrors: readonly string[];
  readonly counts: SplitCounts;
  /** Class names, index = label. */
  readonly classes: readonly string[];
  /** The system directory of a distribution package holding the files, if there is one. */
  readonly systemDir?: string;
  /** Default source order. */
  readonly sources: readonly SourceKind[];
}

/** Image height and width of MNIST-style datasets. */
export const IMAGE_SIZE = 28;

/** One split as bytes: `count` images of 28×28 u8 pixels, row-major, and their u8 labels. */
export interface RawSplit {
  readonly count: number;
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** Both splits as bytes, with where they came from. */
export interface RawSet {
  readonly train: RawSplit;
  readonly test: RawSplit;
  readonly location: string;
}
