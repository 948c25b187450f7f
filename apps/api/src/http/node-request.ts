import type { Context } from "hono";
import { getConnInfo } from "@hono/node-server/conninfo";
import type { IncomingMessage } from "node:http";

type NodeBindings = { incoming?: IncomingMessage } | undefined;

/**
 * The raw `Cookie` header straight from Node's `IncomingMessage`. Asking `c.req` instead
 * makes @hono/node-server convert every request header into a Fetch `Headers` object, which
 * costs the hot path about a sixth of its throughput (docs/decisions/004-hot-path-allocations.md).
 * Requests made in-process (tests) have no `incoming`, and fall back to `c.req`.
 */
export function nodeCookieHeader(c: Context): string | undefined {
  const incoming = (c.env as NodeBindings)?.incoming;
  return incoming ? incoming.headers.cookie : c.req.header("Cookie");
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
