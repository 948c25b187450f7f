import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { SessionEndedReason } from "../sessions/ended-session.js";

/** One invalid field of a request body: a JSON Pointer into the body and what is wrong. */
export type FieldError = { pointer: string; detail: string };

export type Problem = {
  status: ContentfulStatusCode;
  title?: string;
  detail?: string;
  /** A URI reference naming the problem type; `about:blank` when the status says it all. */
  type?: string;
  errors?: FieldError[];
  /** RFC 9457 extension members, added to the body as they are (`methods`, `maxAgeSeconds`…). */
  extensions?: Readonly<Record<string, unknown>>;
  headers?: Record<string, string>;
};

const TITLES: Partial<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

function problemJson(problem: Problem): string {
  return JSON.stringify({
    // Extensions first: they can never shadow the standard members.
    ...problem.extensions,
    type: problem.type ?? "about:blank",
    title: problem.title ?? TITLES[problem.status] ?? "Error",
    status: problem.status,
    ...(problem.detail === undefined ? {} : { detail: problem.detail }),
    ...(problem.errors === undefined ? {} : { errors: problem.errors }),
  });
}

function problemHeaders(problem: Problem): Record<string, string> {
  return {
    "Content-Type": "application/problem+json",
    "Cache-Control": "no-store",
    ...problem.headers,
  };
}

/**
 * The 422 of an invalid request body: one entry per field, each a JSON Pointer and what is
 * wrong with it.
 *
 * @example
 * throw validationError([{ pointer: "/email", detail: "is required" }]);
 */
export function validationError(
  errors: FieldError[],
  detail = "One or more fields are invalid.",
): ProblemError {
  return new ProblemError({
    status: 422,
    type: "/problems/validation",
    title: "Your request is not valid",
    detail,
    errors,
  });
}

/**
 * The 401 every route that needs a signed-in user answers when the request brought no
 * session (or one the server cannot tell anything about); see {@link sessionEndedProblem}.
 */
export const SIGN_IN_REQUIRED: Problem = { status: 401, detail: "Sign in to continue." };

/** The type of the 401 a request gets when the session its cookies name has ended. */
export const SESSION_ENDED_TYPE = "/problems/session-ended";

const ENDED_DETAILS: Record<SessionEndedReason, string> = {
  signed_out: "This session was signed out. Sign in again to continue.",
  signed_out_everywhere: "This account was signed out on every device. Sign in again to continue.",
  revoked_by_admin: "An administrator ended this session. Sign in again to continue.",
  password_changed:
    "The account's password was changed, which ended this session. Sign in with the new password.",
  token_reuse:
    "This session was ended to protect the account: its sign-in token was used from two places. Sign in again to continue.",
  account_disabled: "This account is disabled.",
  account_deleted: "This account was deleted.",
  expired: "This session expired. Sign in again to continue.",
};

/**
 * The 401 of a request whose session cookie (or access token) names a session that is no
 * longer live: `type` {@link SESSION_ENDED_TYPE}, and the extension member `reason` saying
 * why, and nothing else about the session.
 *
 * @example
 * sessionEndedProblem("password_changed");
 * // { status: 401, type: "/problems/session-ended", title: "Your session ended",
 * //   detail: "The account's password was changed…", extensions: { reason: "password_changed" } }
 */
export function sessionEndedProblem(reason: SessionEndedReason): Problem {
  return {
    status: 401,
    type: SESSION_ENDED_TYPE,
    title: "Your session ended",
    detail: ENDED_DETAILS[reason],
    extensions: { reason },
  };
}

/** An RFC 9457 `application/problem+json` response. */
export function problemResponse(problem: Problem): Response {
  return new Response(problemJson(problem), {
    status: problem.status,
    headers: problemHeaders(problem),
  });
}

/**
 * The same, answered through Hono's context: headers already set on this request (such as
 * the `Set-Cookie` that clears invalid auth cookies) are kept.
 */
export function problemContextResponse(c: Context, problem: Problem): Response {
  return c.body(problemJson(problem), problem.status, problemHeaders(problem));
}

/**
 * Throw this from any handler or middleware. It is an `HTTPException`, so even a host app
 * that never installed {@link problemErrorHandler} renders it as problem+json.
 */
export class ProblemError extends HTTPException {
  constructor(readonly problem: Problem) {
    super(problem.status, { message: problem.detail ?? problem.title ?? "" });
  }

  override getResponse(): Response {
    return problemResponse(this.problem);
  }
}

/** postgres.js (and Node socket) codes for a database that cannot be reached right now. */
const UNREACHABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** SQLSTATEs of a server that is going away or refusing work for now. */
const UNAVAILABLE_SQLSTATES = new Set(["57P01", "57P02", "57P03", "53300"]);

/** Seconds a client should wait before retrying while the database is unavailable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * True when the error (or one it wraps, such as drizzle's `DrizzleQueryError`) says the
 * database is unreachable or shutting down: connection refused, closed, timed out, SQLSTATE
 * class 08 (connection exception), 57P01–57P03 (admin/crash shutdown, cannot connect now),
 * 53300 (too many connections). Such failures are temporary: 503 with `Retry-After`.
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== "object") return false;
    const { code, errno } = current as { code?: unknown; errno?: unknown };
    for (const value of [code, errno]) {
      if (typeof value !== "string") continue;
      if (UNREACHABLE_CODES.has(value) || UNAVAILABLE_SQLSTATES.has(value)) return true;
      if (/^08[0-9A-Z]{3}$/.test(value)) return true;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** SQLSTATEs of a transaction PostgreSQL rolled back because it collided with another. */
const CONFLICT_SQLSTATES = new Set(["40P01", "40001"]);

/**
 * True when the error (or one it wraps) is a deadlock or a serialization failure: the
 * transaction was rolled back whole, nothing changed, and trying again will most likely work.
 */
export function isTransactionConflictError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== "object") return false;
    const { code } = current as { code?: unknown };
    if (typeof code === "string" && CONFLICT_SQLSTATES.has(code)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const TRANSACTION_CONFLICT: Problem = {
  status: 503,
  detail: "This request collided with another one and nothing was changed. Try again.",
  headers: { "Retry-After": "1" },
};

const DATABASE_UNAVAILABLE: Problem = {
  status: 503,
  detail: "The database is not reachable right now. Try again shortly.",
  headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
};

/**
 * Renders every error as problem+json: a database outage becomes 503 with `Retry-After`
 * (not logged one by one: it is not a bug), so does a transaction PostgreSQL rolled back as a
 * deadlock victim (nothing changed; `Retry-After: 1`); anything else unexpected a bare 500
 * (logged, not shown).
 */
export function createProblemErrorHandler(
  logError: (error: unknown, c: Context) => void = (error) => console.error(error),
): ErrorHandler {
  return (error, c) => {
    if (error instanceof ProblemError) return problemContextResponse(c, error.problem);
    if (error instanceof HTTPException) {
      const status = error.status as ContentfulStatusCode;
      return problemContextResponse(
        c,
        error.message ? { status, detail: error.message } : { status },
      );
    }
    if (isDatabaseUnavailableError(error)) return problemContextResponse(c, DATABASE_UNAVAILABLE);
    if (isTransactionConflictError(error)) return problemContextResponse(c, TRANSACTION_CONFLICT);
    logError(error, c);
    // Through the context: cookies set before the failure (a rotated session token) still go.
    return problemContextResponse(c, { status: 500, detail: "Something went wrong on our side." });
  };
}

export const problemNotFoundHandler: NotFoundHandler = (c) =>
  problemContextResponse(c, { status: 404, detail: `No resource at ${c.req.path}.` });
