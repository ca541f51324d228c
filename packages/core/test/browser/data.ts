// The inputs of the browser test, shared by the page (entry.ts) and the Node side that checks it.

/** Rows (images) and columns (pixels) of the IDX data; columns of the weight matrix. */
export const ROWS = 8;
export const COLS = 16;
export const OUT = 8;

/** Pixel (i, j) of the IDX data, a byte; spread over 0..255 so that scaling by 1/255 matters. */
export const pixel = (i: number, j: number): number => (i * 37 + j * 11) % 256;

/** Weight (k, j), in [-5/8, 5/8] so that tanh(x·w) is neither linear nor saturated everywhere. */
export const weight = (k: number, j: number): number => (((k * 5 + j * 3) % 11) - 5) / 8;

/** The pixels as an IDX file (00 00 08 02, then the two dimensions as big-endian u32), built by hand. */
export function idxBytes(): Uint8Array {
  const bytes = new Uint8Array(4 + 8 + ROWS * COLS);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, 0x00000802);
  view.setUint32(4, ROWS);
  view.setUint32(8, COLS);
  for (let i = 0; i < ROWS; i++) for (let j = 0; j < COLS; j++) bytes[12 + i * COLS + j] = pixel(i, j);
  return bytes;
}

/** What the page leaves in `window.__result`. */
export interface BrowserResult {
  readonly userAgent: string;
  /** The backend the default `compile` chose. */
  readonly backend: string;
  readonly features: { readonly simd: boolean; readonly relaxedSimd: boolean };
  readonly idxShape: readonly number[];
  /** parseIdxAsync on the gzip copy (fetched, inflated with DecompressionStream) gave the same bytes. */
  readonly gzipMatches: boolean;
  readonly printed: string;
  readonly y: number;
  /** dy/dw, row-major [COLS, OUT]. */
  readonly dw: readonly number[];
}
