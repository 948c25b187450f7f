import type { Context, MiddlewareHandler, TypedResponse } from "hono";
import { signInRequired, sessionEndedReason, type AuthEnv } from "../authenticator.js";
import { ProblemError } from "../http/problem.js";
import { invalidQuery } from "../http/query-params.js";
import type { SessionEndedReason } from "./ended-session.js";

/**
 * `GET /session`'s query: `optional=true` turns the signed-out 401 into a 200, for a client
 * that only wants to know whether it is signed in (a page load) and should not log an error.
 */
export type SessionProbeQuery = { optional?: "true" | "false" };

/** The name and the accepted values of the probe's query parameter. */
export const SESSION_PROBE_PARAMETER = "optional";
const VALUES = new Set(["true", "false"]);

/** What `GET /session?optional=true` answers when not signed in. */
export type SignedOutSession = { session: null; ended?: { reason: SessionEndedReason } };

type SignedOutResponse = Response & TypedResponse<SignedOutSession, 200, "json">;

/**
 * Gives a route's (no-op) description middleware the type of a validator of
 * {@link SessionProbeQuery}, so Hono's client accepts `$get({ query: { optional: "true" } })`,
 * without a validator's work on every request: the signed-in answer never reads the query,
 * only {@link signedOutSession} does.
 *
 * @example
 * app.get("/session", withProbeQuery(docs.session), handler);
 */
export function withProbeQuery(
  middleware: MiddlewareHandler,
): MiddlewareHandler<
  AuthEnv,
  string,
  { in: { query: SessionProbeQuery }; out: { query: SessionProbeQuery } }
> {
  return middleware;
}

/**
 * The signed-out answer of `GET /session`: with `optional=true`, 200 `{session: null}` (and
 * `ended: {reason}` when the request's session ended); otherwise the 401 every signed-in
 * route answers (`/problems/session-ended` with its reason, or "Sign in to continue.").
 * Any other value of `optional` is a 400 `/problems/invalid-query`. Cookies the middleware
 * cleared stay cleared (answered through the context).
 *
 * @example
 * app.get("/session", (c) => (c.get("auth") ? signedInAnswer(c) : signedOutSession(c)));
 */
export function signedOutSession(c: Context): SignedOutResponse {
  const optional = c.req.query(SESSION_PROBE_PARAMETER);
  if (optional !== undefined && !VALUES.has(optional)) {
    throw invalidQuery([
      { pointer: `/${SESSION_PROBE_PARAMETER}`, detail: 'must be "true" or "false"' },
    ]);
  }
  if (optional !== "true") throw new ProblemError(signInRequired(c));
  const reason = sessionEndedReason(c);
  const body: SignedOutSession =
    reason === undefined ? { session: null } : { session: null, ended: { reason } };
  return c.json(body, 200) as SignedOutResponse;
}
