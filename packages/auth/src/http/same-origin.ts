import type { Context, MiddlewareHandler } from "hono";
import { problemContextResponse } from "./problem.js";

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
  const isAllowed = sameOriginCheck(options);
  return async (c, next) => (isAllowed(c) ? next() : refuseCrossSite(c));
}

/** The decision of {@link requireSameOrigin}, for middleware that does more than this. */
export function sameOriginCheck(options: SameOriginOptions = {}): (c: Context) => boolean {
  const allowed = new Set(options.allowedOrigins ?? []);
  return (c) => {
    if (SAFE_METHODS.has(c.req.method)) return true;
    const fetchSite = c.req.header("Sec-Fetch-Site");
    const origin = c.req.header("Origin");
    return (
      (origin !== undefined && allowed.has(origin)) ||
      (fetchSite !== undefined
        ? fetchSite === "same-origin" || fetchSite === "none"
        : origin === undefined || origin === new URL(c.req.url).origin)
    );
  };
}

export function refuseCrossSite(c: Context): Response {
  return problemContextResponse(c, {
    status: 403,
    detail: "Cross-site requests may not change anything here.",
  });
}
