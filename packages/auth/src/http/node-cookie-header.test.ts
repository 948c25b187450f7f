import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { clientAddressResolver as clientIpResolver } from "./client-address.js";
import { cookieFromRawHeaders } from "./node-cookie-header.js";

async function resolve(trustedProxies: number, forwardedFor?: string) {
  const app = new Hono();
  app.get("/", (c) => c.text(clientIpResolver(trustedProxies)(c) ?? "none"));
  const headers: Record<string, string> = forwardedFor ? { "X-Forwarded-For": forwardedFor } : {};
  const response = await app.request("/", { headers });
  return response.text();
}

describe("clientIpResolver", () => {
  it("ignores X-Forwarded-For unless proxies are trusted", async () => {
    expect(await resolve(0, "6.6.6.6")).toBe("none");
  });

  it("takes the address the trusted proxy appended, not the client's claims", async () => {
    expect(await resolve(1, "6.6.6.6, 203.0.113.7")).toBe("203.0.113.7");
    expect(await resolve(2, "6.6.6.6, 203.0.113.7, 10.0.0.2")).toBe("203.0.113.7");
  });
});

describe("cookieFromRawHeaders", () => {
  it("answers what Node's incoming.headers.cookie answers, on a real server", async () => {
    const requests = [
      "Host: x\r\n",
      "Host: x\r\nCookie: a=1; b=2\r\n",
      "Host: x\r\ncookie: a=1\r\nCOOKIE: b=2\r\nAccept: */*\r\nCookie: c=3\r\n",
      "Host: x\r\nCookies: no=1\r\nX-Cookie: no=2\r\n",
    ];
    const seen: [string | undefined, string | undefined][] = [];
    const server = createServer((incoming, response) => {
      seen.push([cookieFromRawHeaders(incoming.rawHeaders), incoming.headers.cookie]);
      response.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    try {
      for (const headers of requests) {
        await new Promise<void>((resolve, reject) => {
          const socket = connect(port, "127.0.0.1", () =>
            socket.end(`GET / HTTP/1.1\r\n${headers}Connection: close\r\n\r\n`),
          );
          socket
            .on("error", reject)
            .on("close", () => resolve())
            .resume();
        });
      }
    } finally {
      server.close();
    }
    expect(seen).toHaveLength(requests.length);
    for (const [ours, node] of seen) expect(ours).toBe(node);
    expect(seen[2]![0]).toBe("a=1; b=2; c=3");
  });
});
