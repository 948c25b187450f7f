import { hc, type InferResponseType } from "hono/client";
// Type-only: the server code never reaches the bundle, only the shape of its routes.
import type { AppType } from "@hybrid-auth/api";

/** One invalid field of a request body, as the API's 422 problem reports it. */
export type FieldError = { pointer: string; detail: string };

/** A non-2xx answer (RFC 9457 problem+json) or a network failure (status 0). */
export class ApiError extends Error {
  override name = "ApiError";

  constructor(
    readonly status: number,
    message: string,
    readonly errors: FieldError[] = [],
    /** Seconds from a 429's `Retry-After` header. */
    readonly retryAfterSeconds?: number,
    /** The problem's `type` URI reference (`about:blank` when the status says it all). */
    readonly type = "about:blank",
  ) {
    super(message);
  }

  /** Whether the problem's `type` names this kind (`"email-not-verified"` matches `…/email-not-verified`). */
  isType(kind: string): boolean {
    return this.type === kind || this.type.endsWith(`/${kind}`);
  }

  /** The message the server gave for one body field (`"email"` matches pointer `/email`). */
  fieldError(field: string): string | undefined {
    return this.errors.find((error) => error.pointer === `/${field}`)?.detail;
  }

  static async from(response: Response): Promise<ApiError> {
    let body: { type?: unknown; title?: unknown; detail?: unknown; errors?: unknown } = {};
    try {
      body = (await response.json()) as typeof body;
    } catch {
      // Not JSON (a proxy error page, an empty body): fall back to the status.
    }
    const message =
      typeof body.detail === "string"
        ? body.detail
        : typeof body.title === "string"
          ? body.title
          : `Request failed (${response.status})`;
    const errors = Array.isArray(body.errors)
      ? body.errors.filter(
          (e): e is FieldError =>
            typeof e === "object" &&
            e !== null &&
            typeof (e as FieldError).pointer === "string" &&
            typeof (e as FieldError).detail === "string",
        )
      : [];
    return new ApiError(
      response.status,
      message,
      errors,
      parseRetryAfter(response.headers.get("Retry-After")),
      typeof body.type === "string" ? body.type : undefined,
    );
  }
}

/** `Retry-After` is either delay-seconds or an HTTP date. */
/** What the forms say while a 429's cool-down runs. */
export function tooManyAttemptsMessage(seconds: number): string {
  return `Too many attempts — try again in ${seconds} s.`;
}

export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Requests whose 401 is an answer rather than "your session ended": the sign-in attempt itself
 * (wrong password), the "am I signed in?" probe, registration and sign-out, and the public
 * steps of the emailed links (forgot / reset password, verify an email, confirm a new one),
 * which need no session and say nothing about one.
 */
const UNAUTHORIZED_IS_AN_ANSWER = new Set([
  "POST /api/auth/login",
  "POST /api/auth/register",
  "POST /api/auth/logout",
  "GET /api/auth/session",
  "POST /api/auth/password/forgot",
  "POST /api/auth/password/reset",
  "POST /api/auth/password/reset/check",
  "POST /api/auth/email/verify",
  "POST /api/auth/email/change/confirm",
]);

let unauthorizedHandler: () => void = () => {};

/** Called on any 401 that means the session is gone; the app wires this to its router. */
export function setUnauthorizedHandler(handler: () => void): void {
  unauthorizedHandler = handler;
}

function requestKey(input: RequestInfo | URL, init?: RequestInit): string {
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  return `${method} ${new URL(url, "http://same-origin.invalid").pathname.replace(/\/+$/, "")}`;
}

/** `fetch` for every API call: same-origin cookies, and central handling of expired sessions. */
export const apiFetch: typeof fetch = async (input, init) => {
  const response = await globalThis.fetch(input, { ...init, credentials: "same-origin" });
  if (response.status === 401 && !UNAUTHORIZED_IS_AN_ANSWER.has(requestKey(input, init))) {
    unauthorizedHandler();
  }
  return response;
};

/** The typed API client: paths, bodies and JSON answers all come from the server's routes. */
export const client = hc<AppType>("/", { fetch: apiFetch, init: { credentials: "same-origin" } });
export const api = client.api;

/**
 * Awaits a client call and throws {@link ApiError} unless it succeeded; the resolved value is
 * the same typed response, so `await (await send(call)).json()` keeps the inferred body type.
 */
export async function send<R extends { ok: boolean }>(request: Promise<R>): Promise<R> {
  let response: R;
  try {
    response = await request;
  } catch {
    throw new ApiError(0, "Can't reach the server — check your connection and try again.");
  }
  if (!response.ok) throw await ApiError.from(response as unknown as Response);
  return response;
}

export type Todo = InferResponseType<typeof api.todos.$get, 200>["todos"][number];
export type DeviceSession = InferResponseType<
  typeof api.auth.sessions.$get,
  200
>["sessions"][number];
export type ActivityEvent = InferResponseType<typeof api.auth.activity.$get, 200>["events"][number];
export type User = InferResponseType<typeof api.auth.me.$get, 200>["user"];
export type SessionClaims = InferResponseType<typeof api.auth.session.$get, 200>["session"];
