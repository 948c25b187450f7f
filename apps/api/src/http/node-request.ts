import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { IncomingMessage } from "node:http";

type NodeBindings = { incoming?: IncomingMessage } | undefined;

/**
 * The raw `Cookie` header straight from Node's `IncomingMessage`. Asking `c.req` instead
 * makes @hono/node-server convert every request header into a Fetch `Headers` object, which
 * costs the hot path about a sixth of its throughput (docs/decisions/004-hot-path-allocations.md).
 * It reads `rawHeaders`, as `incoming.headers` would first build an object of every header.
 * Requests made in-process (tests) have no `incoming`, and fall back to `c.req`.
 */
export function nodeCookieHeader(c: Context): string | undefined {
  const incoming = (c.env as NodeBindings)?.incoming;
  return incoming ? cookieFromRawHeaders(incoming.rawHeaders) : c.req.header("Cookie");
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

/** The peer address of the socket. Requests made in-process (tests) have none. */
export function socketClientIp(c: Context): string | undefined {
  if (!(c.env as NodeBindings)?.incoming) return undefined;
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/**
 * The client's address for limits and the devices list. With `trustedProxies` = 0 it is the
 * socket's peer, whatever `X-Forwarded-For` says (a client can write anything there). Behind
 * N trusted proxies it is the N-th address from the right of `X-Forwarded-For`: each proxy
 * appends the address it saw, so entries left of those are the client's own claims.
 */
export function clientIpResolver(trustedProxies: number): (c: Context) => string | undefined {
  if (trustedProxies === 0) return socketClientIp;
  return (c) => {
    const forwarded = (c.req.header("X-Forwarded-For") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    return forwarded.at(-trustedProxies) ?? forwarded[0] ?? socketClientIp(c);
  };
}
