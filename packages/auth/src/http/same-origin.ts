import type { MiddlewareHandler } from "hono";
import { problemContextResponse } from "./problem";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type SameOriginOptions = {
  /**
   * Origins allowed to send state-changing requests, e.g. `https://app.example.com`. The
   * request's own origin is always allowed; list the public origin here when a proxy
   * terminates TLS (the server then sees `http://…` while browsers send `https://…`).
   */
  allowedOrigins?: readonly string[];
};

/**
 * CSRF defence for cookie-authenticated APIs: unsafe methods are refused with 403 unless the
 * browser says the request is same-origin. `Sec-Fetch-Site` is trusted when present
 * (`same-origin`, or `none` for a user-typed navigation); otherwise `Origin` must match. A
 * request with neither header does not come from a browser, so no victim's cookies can ride
 * on it. Unlike Hono's `csrf()`, this does not look at the content type at all.
 */
export function requireSameOrigin(options: SameOriginOptions = {}): MiddlewareHandler {
  const allowed = new Set(options.allowedOrigins ?? []);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method)) return next();
    const fetchSite = c.req.header("Sec-Fetch-Site");
    const origin = c.req.header("Origin");
    const trusted =
      (origin !== undefined && allowed.has(origin)) ||
      (fetchSite !== undefined
        ? fetchSite === "same-origin" || fetchSite === "none"
        : origin === undefined || origin === new URL(c.req.url).origin);
    if (!trusted) {
      return problemContextResponse(c, {
        status: 403,
        detail: "Cross-site requests may not change anything here.",
      });
    }
    return next();
  };
}
