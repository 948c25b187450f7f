import type { Context } from "hono";

type NodeBindings = { incoming?: { rawHeaders?: readonly string[] } } | undefined;

/**
 * The raw `Cookie` header, straight from Node's `IncomingMessage` when @hono/node-server
 * serves the app. Asking `c.req` instead makes the adapter convert every request header into
 * a Fetch `Headers` object, about a sixth of the hot path's throughput
 * (docs/decisions/004-hot-path-allocations.md). Other runtimes, and requests made
 * in-process, fall back to `c.req`.
 */
export function cookieHeader(c: Context): string | undefined {
  const rawHeaders = (c.env as NodeBindings)?.incoming?.rawHeaders;
  return rawHeaders ? cookieFromRawHeaders(rawHeaders) : c.req.header("Cookie");
}

/** Several `Cookie` lines are joined with `; `, as Node does for `incoming.headers.cookie`. */
export function cookieFromRawHeaders(rawHeaders: readonly string[]): string | undefined {
  let cookie: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 6 || (name !== "cookie" && name.toLowerCase() !== "cookie")) continue;
    const value = rawHeaders[i + 1]!;
    cookie = cookie === undefined ? value : `${cookie}; ${value}`;
  }
  return cookie;
}
