/**
 * One kept-alive HTTP connection to one server, for timing single requests: no connection
 * set-up inside a measured interval, and requests to one server go strictly one after another.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";

export type TimedReply = {
  status: number;
  /** performance.now() when the request was handed to the socket, and when the reply ended. */
  sentAt: number;
  receivedAt: number;
};

export type KeepAliveClient = {
  readonly url: string;
  send(method: "GET" | "POST", path: string, cookie: string): Promise<TimedReply>;
  close(): void;
};

/**
 * A client for `baseUrl` that keeps `sockets` connections open (1: one request at a time).
 *
 * @example
 * const client = keepAliveClient("http://127.0.0.1:3000");
 * const { status } = await client.send("GET", "/api/auth/session", cookie);
 * client.close();
 */
export function keepAliveClient(baseUrl: string, sockets = 1): KeepAliveClient {
  if (sockets < 1) throw new Error("keepAliveClient: sockets must be at least 1");
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const base = new URL(baseUrl);
  return {
    url: baseUrl,
    send(method, path, cookie) {
      return new Promise((resolve, reject) => {
        const sentAt = performance.now();
        const req = request(
          {
            host: base.hostname,
            port: base.port,
            method,
            path,
            agent,
            headers: { cookie, "content-length": "0" },
          },
          (res) => {
            res.on("data", () => {});
            res.on("end", () =>
              resolve({ status: res.statusCode ?? 0, sentAt, receivedAt: performance.now() }),
            );
            res.on("error", reject);
          },
        );
        req.on("error", reject);
        req.end();
      });
    },
    close: () => agent.destroy(),
  };
}
