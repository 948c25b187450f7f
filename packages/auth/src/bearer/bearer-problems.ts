import { sessionEndedProblem, type Problem } from "../http/problem.js";
import type { SessionEndedReason } from "../sessions/ended-session.js";

/** RFC 6750 §3: what a bearer client is told, in `WWW-Authenticate`, besides the problem. */
function challenge(error: string, description: string): Record<string, string> {
  return { "WWW-Authenticate": `Bearer error="${error}", error_description="${description}"` };
}

/** An `Authorization` header that is not `Bearer <token>`: 401 `invalid_request`. */
export const BEARER_INVALID_REQUEST: Problem = {
  status: 401,
  type: "/problems/invalid-authorization",
  detail: "The Authorization header must be `Bearer <token>`.",
  headers: challenge("invalid_request", "The Authorization header must be Bearer <token>."),
};

/** A bearer token with auth cookies on the same request: which one speaks? Neither. */
export const MIXED_CREDENTIALS: Problem = {
  status: 400,
  type: "/problems/mixed-credentials",
  detail:
    "This request carries both an Authorization header and auth cookies. Send one credential: cookies from a browser, a bearer token from anything else.",
};

/**
 * A bearer token that does not authenticate (malformed, forged, expired): 401
 * `invalid_token`. An expired access token is refreshed with `POST /token`.
 *
 * @example
 * return problemContextResponse(c, invalidBearerToken());
 */
export function invalidBearerToken(): Problem {
  return {
    status: 401,
    type: "/problems/invalid-token",
    detail: "The bearer token is invalid or has expired. Refresh it, or sign in again.",
    headers: challenge("invalid_token", "The bearer token is invalid or has expired."),
  };
}

/** A bearer access token of a session that has ended: the session-ended problem, as a bearer 401. */
export function bearerSessionEnded(reason: SessionEndedReason): Problem {
  return {
    ...sessionEndedProblem(reason),
    headers: challenge("invalid_token", "The session of this token has ended."),
  };
}
