import { sessionEndedProblem, type Problem } from "../http/problem.js";
import type { SessionEndedReason } from "../sessions/ended-session.js";

/** RFC 6750 §3: what a bearer client is told, in `WWW-Authenticate`, besides the problem. */
function challenge(error: string): Record<string, string> {
  return { "WWW-Authenticate": `Bearer error="${error}"` };
}

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
    headers: challenge("invalid_token"),
  };
}

/** A bearer access token of a session that has ended: the session-ended problem, as a bearer 401. */
export function bearerSessionEnded(reason: SessionEndedReason): Problem {
  return {
    ...sessionEndedProblem(reason),
    headers: challenge("invalid_token"),
  };
}
