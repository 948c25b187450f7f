import { connect, type AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { limitBody } from "./body-limit.js";
import { createTestApp, type TestApp } from "../testing/test-app.js";

const LIMIT = 64 * 1024;
const ONE_MIB = 1024 * 1024;
let t: TestApp;
let server: ServerType;
let port: number;

beforeAll(async () => {
  t = await createTestApp({ bodyLimitBytes: LIMIT });
  server = serve({ fetch: t.app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise((resolve) => server.once("listening", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await t.dispose();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client on a slow uplink, as a browser uploads: 1 MiB in 64 KiB writes, 40 ms apart
 * (about 0.7 s in all), the whole body sent before it looks at the answer. Resolves with what
 * it read, or the socket error it got instead (a reset while sending loses the answer).
 */
function slowUpload(mode: "length" | "chunked"): Promise<{ reply: string; error?: string }> {
  return new Promise((resolve) => {
    let reply = "";
    let uploaded = false;
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(error === undefined ? { reply } : { reply, error });
    };
    const socket = connect(port, "127.0.0.1", () => {
      void (async () => {
        const framing =
          mode === "length" ? `Content-Length: ${ONE_MIB}` : "Transfer-Encoding: chunked";
        socket.write(
          `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
            `Content-Type: application/json\r\n${framing}\r\n\r\n`,
        );
        const piece = Buffer.alloc(64 * 1024, "x");
        for (let sent = 0; sent < ONE_MIB && !socket.destroyed; sent += piece.length) {
          socket.write(mode === "length" ? piece : `${piece.length.toString(16)}\r\n${piece}\r\n`);
          await sleep(40);
        }
        if (mode === "chunked" && !socket.destroyed) socket.write("0\r\n\r\n");
        uploaded = true;
        if (complete()) done();
      })();
    });
    socket.setEncoding("utf8");
    const complete = () => /\r\n\r\n[\s\S]*"status":413[\s\S]*\}$/.test(reply);
    socket.on("data", (chunk: string) => {
      reply += chunk;
      if (uploaded && complete()) done();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.on("close", () => done(uploaded ? undefined : "closed while sending"));
    setTimeout(() => done("timeout"), 15_000).unref();
  });
}

describe("a request body over the limit gets its 413, not a connection reset", () => {
  for (const mode of ["length", "chunked"] as const) {
    it(`1 MiB sent slowly with ${mode === "length" ? "Content-Length" : "chunked encoding"}`, async () => {
      const { reply, error } = await slowUpload(mode);
      expect(error).toBeUndefined();
      expect(reply).toMatch(/^HTTP\/1\.1 413 /);
      expect(reply).toMatch(/content-type: application\/problem\+json/i);
      expect(reply).toContain(`limited to ${LIMIT} bytes`);
    });
  }

  it("fetch sees 413 every time, and the connection stays usable", async () => {
    const statuses: (number | string)[] = [];
    const big = JSON.stringify({ email: "x".repeat(ONE_MIB), password: "x" });
    for (let i = 0; i < 10; i += 1) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: big,
        });
        await response.text();
        statuses.push(response.status);
      } catch (error) {
        statuses.push(String((error as { cause?: { code?: string } }).cause?.code ?? error));
      }
    }
    expect(statuses).toEqual(Array<number>(10).fill(413));
    const after = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(after.status).toBe(200);
  });

  it("a body within the limit still reaches the route, streamed or not", async () => {
    for (const chunked of [false, true]) {
      const json = JSON.stringify({ email: "nobody@example.test", password: "wrong-password-1" });
      const body = chunked
        ? new ReadableStream<Uint8Array>({
            start(controller) {
              controller.enqueue(new TextEncoder().encode(json));
              controller.close();
            },
          })
        : json;
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: `http://127.0.0.1:${port}` },
        body,
        ...(chunked ? { duplex: "half" } : {}),
      } as RequestInit);
      expect(response.status).toBe(401);
    }
  });
});

describe("limitBody on its own", () => {
  const app = new Hono()
    .use(limitBody({ maxBytes: 10, drainBytes: 100, onTooLarge: (c) => c.text("too large", 413) }))
    .post("/", async (c) => c.text(await c.req.text()));
  const post = (body: string, headers: Record<string, string> = {}) =>
    app.request("/", { method: "POST", body, headers });

  it("passes a body within the limit on, read once", async () => {
    expect(await (await post("0123456789")).text()).toBe("0123456789");
    expect(await (await post("0123456789", { "Content-Length": "10" })).text()).toBe("0123456789");
  });

  it("drains a refused body up to drainBytes, then says it will close the connection", async () => {
    const drained = await post("x".repeat(50));
    expect(drained.status).toBe(413);
    expect(drained.headers.get("connection")).toBeNull();
    const declared = await post("x".repeat(50), { "Content-Length": "50" });
    expect(declared.status).toBe(413);
    const chunks = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 100; i += 1) controller.enqueue(new Uint8Array(10));
        controller.close();
      },
    });
    const huge = await app.request("/", {
      method: "POST",
      body: chunks,
      duplex: "half",
    } as RequestInit);
    expect(huge.status).toBe(413);
    expect(huge.headers.get("connection")).toBe("close");
  });
});
