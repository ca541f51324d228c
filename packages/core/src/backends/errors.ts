// Failures of a backend while it runs a compiled program, as opposed to bad input (ShapeError,
// ValueError), which is reported when a graph is built or compiled.

/**
 * Thrown when a backend fails while running a program, e.g. a worker thread died or a kernel
 * failed on one: `wasm: worker thread 1 exited (terminated)`. The run's outputs are not valid;
 * programs compiled afterwards start on a fresh pool.
 */
export class BackendError extends Error {
  override name = "BackendError";
}
