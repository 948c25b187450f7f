import type { MiddlewareHandler } from "hono";

/**
 * Security headers set *before* the handler runs, as prepared headers that Hono copies into
 * whatever response the handler builds. Hono's own `secureHeaders()` sets them on `c.res`
 * after `next()`, which makes @hono/node-server rebuild every response and cost the hot path
 * a large share of its throughput (docs/decisions/004-hot-path-allocations.md).
 */
export function securityHeaders(options: { hsts: boolean }): MiddlewareHandler {
  const headers: [string, string][] = [
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    ["Referrer-Policy", "no-referrer"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
    ["Cross-Origin-Resource-Policy", "same-origin"],
    ["X-Permitted-Cross-Domain-Policies", "none"],
  ];
  if (options.hsts)
    headers.push(["Strict-Transport-Security", "max-age=31536000; includeSubDomains"]);
  return async (c, next) => {
    for (const [name, value] of headers) c.header(name, value);
    await next();
  };
}
