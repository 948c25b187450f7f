import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { Problem } from "./problem.js";

/** 400: a request brought a bearer token and auth cookies: one credential per request. */
export const MIXED_CREDENTIALS_TYPE = "/problems/mixed-credentials";
/** 403: an API key without the scope the route needs (or a route no key may reach). */
export const INSUFFICIENT_SCOPE_TYPE = "/problems/insufficient-scope";

/** RFC 6750 §3: the scheme is case-insensitive; the token is one run of token68 characters. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * The token of an `Authorization: Bearer …` header; `null` for a Bearer header that is not
 * well-formed; `undefined` when there is no header or another scheme (Basic…).
 *
 * @example
 * bearerToken("Bearer hak_abc") // "hak_abc"
 */
export function bearerToken(header: string | undefined): string | null | undefined {
  if (header === undefined || !/^bearer(?:\s|$)/i.test(header)) return undefined;
  return BEARER.exec(header)?.[1] ?? null;
}

export const MIXED_CREDENTIALS: Problem = {
  status: 400,
  type: MIXED_CREDENTIALS_TYPE,
  title: "One credential per request",
  detail: "Send either a bearer token or the auth cookies, not both.",
};

/**
 * The 403 of an API key without `scope` (RFC 6750 §3.1); `scope` undefined: the route admits
 * no API key at all.
 */
export function insufficientScope(scope: string | undefined): Problem {
  const challenge =
    scope === undefined
      ? 'Bearer error="insufficient_scope"'
      : `Bearer error="insufficient_scope", scope="${scope}"`;
  return {
    status: 403,
    type: INSUFFICIENT_SCOPE_TYPE,
    title: "Insufficient scope",
    detail:
      scope === undefined
        ? "API keys cannot use this route."
        : `This API key lacks the scope "${scope}".`,
    ...(scope === undefined ? {} : { extensions: { scope } }),
    headers: { "WWW-Authenticate": challenge },
  };
}

/** Marks the scope gates (`requireScope`): only a route behind one admits an API key. */
const SCOPE_GATE = Symbol("scopeGate");
type Tagged = { [SCOPE_GATE]?: true; __COMPOSED_HANDLER?: unknown };

/** Tags `gate` as a scope gate (see {@link routeHasScopeGate}). */
export function markScopeGate<Gate extends MiddlewareHandler>(gate: Gate): Gate {
  (gate as unknown as Tagged)[SCOPE_GATE] = true;
  return gate;
}

function isScopeGate(handler: unknown): boolean {
  // `app.route()` of a sub-app with its own error handler wraps each handler; follow it.
  let h: unknown = handler;
  while (typeof h === "function") {
    const tagged = h as unknown as Tagged;
    if (tagged[SCOPE_GATE]) return true;
    h = tagged.__COMPOSED_HANDLER;
  }
  return false;
}

/**
 * Default-deny for API keys: true when one of the handlers this request will run is a scope
 * gate. Read by the auth middleware before any handler runs, so a route that never declared
 * a scope (the auth, account and admin routes, or a host's `requireAuth` route) refuses keys.
 */
export function routeHasScopeGate(c: Context): boolean {
  return matchedRoutes(c).some((route) => isScopeGate(route.handler));
}
