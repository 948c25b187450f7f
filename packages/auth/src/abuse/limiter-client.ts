import type { Context, MiddlewareHandler } from "hono";
import { connectionPeer } from "../http/client-address.js";
import type { AuthRuntime } from "../runtime.js";
import type { LimiterClient } from "./abuse-limits.js";
import { addressBucket } from "./address-bucket.js";

/** The bucket of requests whose connection was gone before their address was read. */
export const VANISHED_PEER = "vanished-peer";

/**
 * Who a request counts against in the per-client limits: its address (an IPv6 one by its /64,
 * see `addressBucket`); one shared bucket for
 * connections whose peer vanished (reset mid-request, so that resetting is no way around the
 * limits); `undefined` — not counted per client — only for requests that came over no
 * connection at all (in-process `app.fetch`).
 */
export function limiterClient(
  runtime: Pick<AuthRuntime, "getClientIp">,
  c: Context,
): LimiterClient {
  const ip = runtime.getClientIp(c);
  if (ip !== undefined) return addressBucket(ip);
  return connectionPeer(c).connected ? VANISHED_PEER : undefined;
}

/**
 * Reads the peer address before the body: Node remembers it once read, so a client that
 * resets the connection while its body is parsed is still counted under its own address.
 */
export const readPeerFirst: MiddlewareHandler = async (c, next) => {
  connectionPeer(c);
  await next();
};
