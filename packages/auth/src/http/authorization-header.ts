import type { Context } from "hono";

type NodeBindings = { incoming?: { rawHeaders?: readonly string[] } } | undefined;

/**
 * The raw `Authorization` header, straight from Node's `IncomingMessage` when
 * @hono/node-server serves the app (as {@link cookieHeader} does, so the hot path never builds
 * a Fetch `Headers` object); other runtimes and in-process requests ask `c.req`.
 *
 * @example
 * const header = authorizationHeader(c); // "Bearer eyJ…" or undefined
 */
export function authorizationHeader(c: Context): string | undefined {
  const rawHeaders = (c.env as NodeBindings)?.incoming?.rawHeaders;
  if (!rawHeaders) return c.req.header("Authorization");
  let value: string | undefined;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    if (name.length !== 13) continue;
    if (name !== "authorization" && name.toLowerCase() !== "authorization") continue;
    // Two headers are joined as Fetch joins them, which no credential parses: a proxy that
    // read the other one must never see a different caller than we do.
    value = value === undefined ? rawHeaders[i + 1] : `${value}, ${rawHeaders[i + 1]}`;
  }
  return value;
}
