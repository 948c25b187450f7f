import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { cookieFromRawHeaders } from "./node-cookie-header.js";

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
