/**
 * Downloads with an idle timeout, an overall deadline per file, retries with exponential back-off,
 * a size cap and progress. Failures say why: DNS, refused, reset, timeout, HTTP status, checksum.
 */
import { either as E } from "fp-ts";
import { type DatasetError, datasetError, describeCause } from "../errors.js";
import type { IdxFileSpec } from "../spec.js";
import { verifyFile } from "../verify.js";

/** A progress report for one download attempt. */
export interface DownloadProgress {
  readonly file: string;
  readonly url: string;
  /** 0 for the first try of a mirror, then 1, 2, … for retries. */
  readonly attempt: number;
  readonly phase: "start" | "data" | "done" | "retry" | "failed";
  readonly receivedBytes: number;
  /** From Content-Length, when the server sends it. */
  readonly totalBytes: number | undefined;
}

/** How downloads behave. Every field has a default. */
export interface DownloadOptions {
  /** Abort an attempt when no data arrives for this long (also bounds waiting for headers). Default 30 000 ms. */
  readonly timeoutMs?: number;
  /**
   * The longest a file's download may wait without receiving data, over all mirrors, retries and
   * back-offs, before it fails and the loader falls back to the next source. A transfer that is
   * moving is never cut. Default 30 000 ms.
   */
  readonly deadlineMs?: number;
  /** Retries per mirror after a timeout, network error, 5xx or 429. Default 2. */
  readonly retries?: number;
  /** Wait before retry k (k = 0, 1, …) is `backoffMs · 2^k`. Default 500 ms. */
  readonly backoffMs?: number;
  /** Called on start, on each chunk, on retries and at the end of each attempt. */
  readonly onProgress?: (p: DownloadProgress) => void;
  /** The fetch implementation; default `globalThis.fetch`. */
  readonly fetch?: typeof fetch;
}

const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const retryable = (e: DatasetError): boolean =>
  e._tag === "Timeout" || e._tag === "NetworkFailed" || (e._tag === "HttpStatus" && (e.status >= 500 || e.status === 429));

/** What went wrong below `fetch failed`: undici keeps the system error (with its code) as the cause. */
export function networkCause(e: unknown): string {
  const chain: unknown[] = [];
  for (let c: unknown = e; c !== undefined && c !== null && chain.length < 8; c = (c as { cause?: unknown }).cause) chain.push(c);
  const coded = chain.find((c): c is { code: string } => typeof (c as { code?: unknown }).code === "string") as { code: string; hostname?: string; address?: string; port?: number } | undefined;
  const where = coded?.hostname ?? (coded?.address === undefined ? "" : `${coded.address}${coded.port === undefined ? "" : `:${coded.port}`}`);
  const reason: Readonly<Record<string, string>> = {
    ENOTFOUND: `DNS lookup failed: host ${where || "not found"} does not resolve`,
    EAI_AGAIN: `DNS lookup failed: no answer for ${where || "the host"} (offline?)`,
    ECONNREFUSED: `connection refused by ${where || "the server"} (nothing listening)`,
    ECONNRESET: "connection reset by the server",
    ETIMEDOUT: `connecting to ${where || "the server"} timed out`,
    UND_ERR_CONNECT_TIMEOUT: `connecting to ${where || "the server"} timed out`,
    EHOSTUNREACH: `host ${where || ""} unreachable`,
    ENETUNREACH: "network unreachable (offline?)",
    UND_ERR_SOCKET: "the connection closed unexpectedly",
  };
  const last = chain[chain.length - 1];
  if (coded !== undefined) return `${reason[coded.code] ?? describeCause(last)} (${coded.code})`;
  return describeCause(last);
}

/** A body read fully into one array, or undefined (the read cancelled) once it exceeds `limit` bytes; `onData` sees the running count. */
async function readCapped(body: ReadableStream<Uint8Array>, limit: number, onData: (received: number) => void): Promise<Uint8Array | undefined> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
    onData(received);
  }
  const out = new Uint8Array(received);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

/** One GET of `url`, read fully into memory under an idle timeout, the file's deadline and a size cap. */
async function fetchOnce(url: string, spec: IdxFileSpec, attempt: number, o: DownloadOptions, deadline: number): Promise<E.Either<DatasetError, Uint8Array>> {
  const idleMs = o.timeoutMs ?? 30_000;
  const limit = spec.maxBytes ?? DEFAULT_MAX_BYTES;
  const doFetch = o.fetch ?? globalThis.fetch;
  const report = (phase: DownloadProgress["phase"], receivedBytes: number, totalBytes: number | undefined): void =>
    o.onProgress?.({ file: spec.name, url, attempt, phase, receivedBytes, totalBytes });
  const controller = new AbortController();
  let timedOut = 0;
  let moving = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Idle rather than total timeout: a slow but moving transfer of a 26 MB file is fine, a stalled one
  // is not. Until data flows, the wait is also bounded by what is left of the file's deadline.
  const arm = (): void => {
    clearTimeout(timer);
    const ms = moving ? idleMs : Math.max(0, Math.min(idleMs, deadline - Date.now()));
    timer = setTimeout(() => {
      timedOut = ms;
      controller.abort();
    }, ms);
  };
  arm();
  try {
    report("start", 0, undefined);
    const res = await doFetch(url, { signal: controller.signal });
    if (!res.ok || res.body === null) {
      await res.body?.cancel().catch(() => undefined);
      return E.left(datasetError.httpStatus(url, res.status, res.statusText));
    }
    const header = res.headers.get("content-length");
    const total = header === null ? undefined : Number(header);
    if (total !== undefined && total > limit) {
      await res.body.cancel().catch(() => undefined);
      return E.left(datasetError.tooLarge(url, limit));
    }
    const out = await readCapped(res.body, limit, (received) => {
      moving = true;
      arm();
      report("data", received, total);
    });
    if (out === undefined) return E.left(datasetError.tooLarge(url, limit));
    report("done", out.length, total);
    return E.right(out);
  } catch (e) {
    return E.left(timedOut > 0 || controller.signal.aborted ? datasetError.timeout(url, timedOut) : datasetError.network(url, networkCause(e)));
  } finally {
    clearTimeout(timer);
  }
}

const joinUrl = (base: string, name: string): string => (base.endsWith("/") ? base + name : `${base}/${name}`);

/**
 * Downloads one file, trying each mirror in order with retries, and verifies its SHA-256. Returns
 * the verified bytes as downloaded (the official gzip file) together with the URL they came from.
 * Nothing is written anywhere: the caller stores only verified data.
 */
export async function downloadFile(
  spec: IdxFileSpec,
  mirrors: readonly string[],
  o: DownloadOptions,
): Promise<E.Either<DatasetError, { readonly bytes: Uint8Array; readonly url: string }>> {
  const failures: DatasetError[] = [];
  const retries = o.retries ?? 2;
  const backoffMs = o.backoffMs ?? 500;
  const deadlineMs = o.deadlineMs ?? 30_000;
  const deadline = Date.now() + deadlineMs;
  for (const mirror of mirrors) {
    const url = joinUrl(mirror, spec.name);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() >= deadline) return E.left(datasetError.downloadFailed(spec.name, [...failures, datasetError.deadline(url, deadlineMs)]));
      const got = await fetchOnce(url, spec, attempt, o, deadline);
      if (E.isRight(got)) {
        const verified = await verifyFile(spec, got.right, url);
        if (E.isRight(verified)) return E.right({ bytes: got.right, url });
        // A wrong checksum is a wrong file on this mirror, which a retry would fetch again.
        failures.push(verified.left);
        o.onProgress?.({ file: spec.name, url, attempt, phase: "failed", receivedBytes: got.right.length, totalBytes: got.right.length });
        break;
      }
      failures.push(got.left);
      if (!retryable(got.left) || attempt >= retries) {
        o.onProgress?.({ file: spec.name, url, attempt, phase: "failed", receivedBytes: 0, totalBytes: undefined });
        break;
      }
      o.onProgress?.({ file: spec.name, url, attempt, phase: "retry", receivedBytes: 0, totalBytes: undefined });
      await sleep(Math.min(backoffMs * 2 ** attempt, Math.max(0, deadline - Date.now())));
    }
  }
  return E.left(datasetError.downloadFailed(spec.name, failures));
}
