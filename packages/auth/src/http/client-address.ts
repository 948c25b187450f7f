import { isIP } from "node:net";
import type { Context } from "hono";

/** What the common Hono adapters put in `c.env` about the connection. */
type ConnectionBindings =
  | {
      /** @hono/node-server: Node's `IncomingMessage`. */
      incoming?: { socket?: { remoteAddress?: string } };
      /** Bun's `Server#requestIP`. */
      requestIP?: (request: Request) => { address?: string } | null;
      /** Deno: `Deno.ServeHandlerInfo`. */
      remoteAddr?: { hostname?: string };
    }
  | undefined;

/**
 * The connection's peer address, from whichever adapter serves the app (Node, Bun, Deno), or
 * `undefined` for requests made in-process (`app.fetch(request)` in tests).
 */
export function connectionAddress(c: Context): string | undefined {
  return connectionPeer(c).address;
}

/**
 * Whether the request came over a connection (some adapter served it) and, if so, its peer
 * address. A connection whose peer is gone (reset mid-request: Node then forgets the address)
 * is still a connection: the limits count it, in one bucket for peers that vanished, rather
 * than not at all.
 */
export function connectionPeer(c: Context): { connected: boolean; address: string | undefined } {
  const env = c.env as ConnectionBindings;
  if (!env || typeof env !== "object") return { connected: false, address: undefined };
  const connected =
    env.incoming !== undefined ||
    typeof env.requestIP === "function" ||
    env.remoteAddr !== undefined;
  const address =
    env.incoming?.socket?.remoteAddress ??
    (typeof env.requestIP === "function" ? env.requestIP(c.req.raw)?.address : undefined) ??
    env.remoteAddr?.hostname;
  return { connected, address: address || undefined };
}

/**
 * The client's address for limits and the devices list. With `trustedProxies` = 0 it is the
 * connection's peer, whatever `X-Forwarded-For` says (a client can write anything there).
 * Behind N trusted proxies it is the N-th address from the right of `X-Forwarded-For`: each
 * proxy appends the address it saw, so entries left of those are the client's own claims.
 * When that entry is missing or not an IP address, the request did not come through the
 * proxies as configured, and the connection's peer is the client.
 *
 * @example
 * createAuth({ db, secret, getClientIp: clientAddressResolver(1) }); // one proxy in front
 */
export function clientAddressResolver(trustedProxies = 0): (c: Context) => string | undefined {
  if (trustedProxies === 0) return connectionAddress;
  return (c) => {
    const forwarded = (c.req.header("X-Forwarded-For") ?? "").split(",");
    const appended = forwarded.length >= trustedProxies ? forwarded.at(-trustedProxies) : undefined;
    const candidate = appended?.trim();
    return candidate && isIP(candidate) !== 0 ? candidate : connectionAddress(c);
  };
}
