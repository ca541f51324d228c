import { createServer } from "node:http";
import { type AddressInfo, type Server, type Socket, createServer as createTcpServer } from "node:net";
import { either as E } from "fp-ts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatasetError, loadMnist } from "../src/index.js";
import { networkCause } from "../src/sources/download.js";
import { type Generated, generate } from "./fixtures.js";

let data: Generated;
const servers: (Server | ReturnType<typeof createServer>)[] = [];
const sockets = new Set<Socket>();
const listen = async (s: Server | ReturnType<typeof createServer>): Promise<number> => {
  servers.push(s);
  s.on("connection", (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return (s.address() as AddressInfo).port;
};

beforeAll(() => {
  data = generate();
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  for (const s of servers) await new Promise<void>((resolve) => s.close(() => resolve()));
});

/** Loads from `mirrors` only (no cache, no fallback) and returns the error. */
async function failure(mirrors: string[], download: object): Promise<DatasetError> {
  const r = await loadMnist({ files: data.files, counts: data.counts, sources: ["download"], mirrors, log: () => undefined, download })();
  if (E.isRight(r)) throw new Error("expected a failure");
  return r.left;
}

describe("download failures say why", () => {
  it("names a refused connection", async () => {
    // A port that was just free: nothing listens there.
    const probe = createTcpServer();
    const port = await listen(probe);
    servers.pop();
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const e = await failure([`http://127.0.0.1:${port}/`], { retries: 0 });
    expect(e.message).toContain(`connection refused by 127.0.0.1:${port} (nothing listening) (ECONNREFUSED)`);
    expect(e.message).not.toMatch(/: fetch failed/);
  });

  it("names the HTTP status with its text", async () => {
    const port = await listen(createServer((_req, res) => res.writeHead(404).end()));
    const e = await failure([`http://127.0.0.1:${port}/`], { retries: 0 });
    expect(e.message).toContain("HTTP 404 Not Found");
  });

  it("names DNS failures, resets and unknown causes from the error's cause chain", () => {
    const undici = (cause: object): Error => new TypeError("fetch failed", { cause });
    expect(networkCause(undici({ code: "ENOTFOUND", hostname: "mirror.invalid" }))).toBe("DNS lookup failed: host mirror.invalid does not resolve (ENOTFOUND)");
    expect(networkCause(undici({ code: "EAI_AGAIN", hostname: "example.org" }))).toContain("DNS lookup failed: no answer for example.org (offline?)");
    expect(networkCause(undici({ code: "ECONNRESET" }))).toBe("connection reset by the server (ECONNRESET)");
    expect(networkCause(undici(new Error("other trouble")))).toBe("other trouble");
  });

  it("gives up within the deadline on a network that accepts and then says nothing, over every mirror and retry", async () => {
    const silent = createTcpServer(() => undefined); // accepts connections, never answers
    const port = await listen(silent);
    const mirrors = [1, 2, 3].map((i) => `http://127.0.0.1:${port}/m${i}/`);
    const start = Date.now();
    const e = await failure(mirrors, { timeoutMs: 30_000, retries: 2, backoffMs: 50, deadlineMs: 600 });
    const waited = Date.now() - start;
    // 9 attempts × 30 s before; now the first file's deadline ends the source.
    expect(waited).toBeLessThan(10_000);
    expect(e.message).toContain("deadline");
    expect(JSON.stringify(e)).toContain('"_tag":"Timeout"');
  });
});
