/** Debian's `dataset-fashion-mnist` package: the official files, recompressed, in a fixed place. */

/** Where `apt-get install dataset-fashion-mnist` puts the Fashion-MNIST files. */
export const DEBIAN_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";
