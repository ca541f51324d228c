// Generated MNIST-style datasets and a loopback HTTP server that serves them well or badly.
import { createHash } from "node:crypto";
import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { type DatasetFiles, type SplitCounts, encodeIdx } from "../src/index.js";

export interface Generated {
  readonly counts: SplitCounts;
  /** The official-style gzip files by name. */
  readonly gz: ReadonlyMap<string, Uint8Array>;
  /** The same files inflated. */
  readonly raw: ReadonlyMap<string, Uint8Array>;
  readonly files: DatasetFiles;
  readonly trainImages: Uint8Array;
  readonly trainLabels: Uint8Array;
  readonly testImages: Uint8Array;
  readonly testLabels: Uint8Array;
}

const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

/** A deterministic pseudo-random byte generator (xorshift32), so fixtures are the same every run. */
function bytes(n: number, seed: number, mod = 256): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s % mod;
  }
  return out;
}

/** A small dataset (`train` and `test` samples of 28×28 bytes, labels 0–9) with its checksums. */
export function generate(counts: SplitCounts = { train: 120, test: 30 }, seed = 1): Generated {
  const trainImages = bytes(counts.train * 784, seed);
  const trainLabels = bytes(counts.train, seed + 1, 10);
  const testImages = bytes(counts.test * 784, seed + 2);
  const testLabels = bytes(counts.test, seed + 3, 10);
  const raws = {
    trainImages: encodeIdx({ dtype: "u8", shape: [counts.train, 28, 28], data: trainImages }),
    trainLabels: encodeIdx({ dtype: "u8", shape: [counts.train], data: trainLabels }),
    testImages: encodeIdx({ dtype: "u8", shape: [counts.test, 28, 28], data: testImages }),
    testLabels: encodeIdx({ dtype: "u8", shape: [counts.test], data: testLabels }),
  };
  const names = {
    trainImages: "train-images-idx3-ubyte.gz",
    trainLabels: "train-labels-idx1-ubyte.gz",
    testImages: "t10k-images-idx3-ubyte.gz",
    testLabels: "t10k-labels-idx1-ubyte.gz",
  };
  const gz = new Map<string, Uint8Array>();
  const raw = new Map<string, Uint8Array>();
  const spec = (k: keyof typeof raws) => {
    const g = new Uint8Array(gzipSync(raws[k]));
    gz.set(names[k], g);
    raw.set(names[k], raws[k]);
    return { name: names[k], sha256: sha256(g), rawSha256: sha256(raws[k]) };
  };
  const files: DatasetFiles = {
    trainImages: spec("trainImages"),
    trainLabels: spec("trainLabels"),
    testImages: spec("testImages"),
    testLabels: spec("testLabels"),
  };
  return { counts, gz, raw, files, trainImages, trainLabels, testImages, testLabels };
}

export interface TestServer {
  /** Base URL of a route: `good`, `corrupt`, `slow`, `flaky` (fails once per file), `missing`. */
  url(route: "good" | "corrupt" | "slow" | "flaky" | "missing"): string;
  /** Requests seen, as "route/file". */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Starts a server on 127.0.0.1 (only) and an ephemeral port. */
export async function serve(data: Generated): Promise<TestServer> {
  const requests: string[] = [];
  const failedOnce = new Set<string>();
  const server: Server = createServer((req, res) => {
    const [, route = "", name = ""] = (req.url ?? "").split("/");
    requests.push(`${route}/${name}`);
    const body = data.gz.get(name);
    if (body === undefined || route === "missing") {
      res.writeHead(404).end("not found");
      return;
    }
    switch (route) {
      case "good":
        res.writeHead(200, { "content-length": body.length }).end(body);
        return;
      case "corrupt": {
        const bad = body.slice();
        bad[bad.length >> 1] = (bad[bad.length >> 1] ?? 0) ^ 0x55;
        res.writeHead(200, { "content-length": bad.length }).end(bad);
        return;
      }
      case "slow":
        // Headers, a few bytes, then silence: only an idle timeout ends this.
        res.writeHead(200, { "content-length": body.length });
        res.write(body.subarray(0, 4));
        return;
      case "flaky":
        if (!failedOnce.has(name)) {
          failedOnce.add(name);
          res.writeHead(503).end("try again");
          return;
        }
        res.writeHead(200, { "content-length": body.length }).end(body);
        return;
      default:
        res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (route) => `http://127.0.0.1:${port}/${route}/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
