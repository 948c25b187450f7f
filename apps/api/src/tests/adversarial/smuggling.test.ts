/**
 * WSTG-INPV-15 HTTP request smuggling, against the real Node server: framing that two HTTP
 * parsers could read differently (a proxy in front and this server) is refused with 400 and
 * the connection closed, so no second request can hide in a first one's body.
 */
import { connect, type AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../testing/test-app.js";
import { httpServerOptions } from "../../server/http-limits.js";

let t: TestApp;
let server: ServerType;
let port: number;

beforeAll(async () => {
  t = await createTestApp();
  const serverOptions = httpServerOptions({
    headersTimeoutMs: 2000,
    requestTimeoutMs: 3000,
    maxConnections: 100,
  });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1", serverOptions });
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.dispose();
});

/** Sends raw bytes; resolves with everything the server answered before it closed. */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(request));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (reply += chunk));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" ? resolve(reply) : reject(error),
    );
    socket.on("close", () => resolve(reply));
    setTimeout(() => socket.end(), 4000).unref();
  });
}

const statusLines = (reply: string) => reply.match(/HTTP\/1\.1 \d{3}/g) ?? [];
const hidden = "GET /api/auth/me HTTP/1.1\r\nHost: x\r\n\r\n";

describe("WSTG-INPV-15 HTTP request smuggling", () => {
  const ambiguous: Record<string, string> = {
    "Content-Length and Transfer-Encoding together (CL.TE / TE.CL)":
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n" +
      `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${hidden}`,
    "two different Content-Length headers":
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n" +
      `Content-Length: ${hidden.length}\r\n\r\n${hidden}`,
    "an obfuscated Transfer-Encoding":
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n" +
      `0\r\n\r\n${hidden}`,
    "a bare LF inside chunked framing":
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `0\n\n${hidden}`,
    "a space before the header colon":
      "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n" +
      `0\r\n\r\n${hidden}`,
  };

  for (const [label, request] of Object.entries(ambiguous)) {
    it(`${label}: 400, one answer, the hidden request never runs`, async () => {
      const reply = await raw(request);
      expect(statusLines(reply)).toEqual(["HTTP/1.1 400"]);
      expect(reply).not.toMatch(/HTTP\/1\.1 401/); // GET /api/auth/me would have answered 401
    });
  }

  it("a well-framed pipelined pair is answered as two requests, in order", async () => {
    const reply = await raw(
      "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n" +
        "GET /api/auth/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    expect(statusLines(reply), reply).toEqual(["HTTP/1.1 200", "HTTP/1.1 401"]);
  });
});
