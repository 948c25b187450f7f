import { createServer, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { httpServerOptions, limitConnections } from "./http-limits.js";

const limits = { headersTimeoutMs: 1000, requestTimeoutMs: 1500, maxConnections: 2 };
let server: Server | undefined;
afterEach(
  () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
);

async function listen(): Promise<number> {
  server = createServer(httpServerOptions(limits), (request, response) => {
    request.resume();
    request.on("end", () => response.end("ok"));
  });
  limitConnections(server, limits);
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Sends `data` and never finishes; resolves with what came back and when the server hung up. */
function stall(port: number, data: string): Promise<{ ms: number; reply: string }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let reply = "";
    const socket = connect(port, "127.0.0.1", () => socket.write(data));
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => (reply += chunk));
    socket.on("error", reject);
    socket.on("close", () => resolve({ ms: Date.now() - started, reply }));
    setTimeout(() => socket.destroy(new Error("the server kept the connection")), 10_000).unref();
  });
}

describe("HTTP limits for slow clients", () => {
  it("cuts off a client that trickles its headers, with 408", async () => {
    const port = await listen();
    const { ms, reply } = await stall(port, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(4000);
  });

  it("cuts off a client that stalls its body, with 408", async () => {
    const port = await listen();
    const { ms, reply } = await stall(
      port,
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{",
    );
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(ms).toBeLessThan(5000);
  });

  it("refuses connections beyond the limit", async () => {
    const port = await listen();
    const open = [0, 1].map(
      () =>
        new Promise<ReturnType<typeof connect>>((resolve) => {
          const socket = connect(port, "127.0.0.1", () => resolve(socket));
          socket.on("error", () => {});
        }),
    );
    const sockets = await Promise.all(open);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const third = await stall(port, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(third.reply).toBe("");
    expect(third.ms).toBeLessThan(1000);
    for (const socket of sockets) socket.destroy();
  });
});
