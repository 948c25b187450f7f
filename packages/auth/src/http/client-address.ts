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
  const env = c.env as ConnectionBindings;
  if (!env || typeof env !== "object") return undefined;
  const address =
    env.incoming?.socket?.remoteAddress ??
    (typeof env.requestIP === "function" ? env.requestIP(c.req.raw)?.address : undefined) ??
    env.remoteAddr?.hostname;
  return address || undefined;
}

/**
 * The client's address for limits and the devices list. With `trustedProxies` = 0 it is the
 * connection's peer, whatever `X-Forwarded-For` says (a client can write anything there).
 * Behind N trusted proxies it is the N-th address from the right of `X-Forwarded-For`: each
 * proxy appends the address it saw, so entries left of those are the client's own claims.
 *
 * @example
 * createAuth({ db, secret, getClientIp: clientAddressResolver(1) }); // one proxy in front
 */
export function clientAddressResolver(trustedProxies = 0): (c: Context) => string | undefined {
  if (trustedProxies === 0) return connectionAddress;
  return (c) => {
    const forwarded = (c.req.header("X-Forwarded-For") ?? "")
      .split(",")
      .map((entry) => entry.trim())
      .filter(Boolean);
    return forwarded.at(-trustedProxies) ?? forwarded[0] ?? connectionAddress(c);
  };
}
