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
    /** The problem's extension members (e.g. `methods` of a reauthentication problem). */
    readonly extensions: Readonly<Record<string, unknown>> = {},
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
      const parsed: unknown = await response.json();
      if (typeof parsed === "object" && parsed !== null) body = parsed as typeof body;
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
      body,
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
 * (wrong password), the "am I signed in?" probe, registration and sign-out, the public
 * steps of the emailed links (forgot / reset password, verify an email, confirm a new one),
 * which need no session and say nothing about one, and the second step of a sign-in and the
 * passkey ceremonies (an expired pending sign-in, a passkey the server does not accept).
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
  "POST /api/auth/2fa/verify",
  "POST /api/auth/passkeys/authenticate/options",
  "POST /api/auth/passkeys/authenticate",
]);

/** The proofs of a step-up: their own 401s never ask for another step-up. */
const STEP_UP_PROOFS = new Set([
  "POST /api/auth/reauthenticate",
  "POST /api/auth/reauthenticate/totp",
  "POST /api/auth/passkeys/authenticate/options",
  "POST /api/auth/passkeys/authenticate",
]);

/** The problem type of "prove who you are again first" (a 401 of a sensitive action). */
export const REAUTHENTICATION_REQUIRED = "reauthentication-required";
/** The (client-side) problem type of a step-up the user cancelled. */
export const STEP_UP_CANCELLED = "/problems/reauthentication-cancelled";
export const STEP_UP_CANCELLED_MESSAGE = "Not done: confirmation needed.";

/** What a sensitive action asks for: how the user may prove it is them, and how long that lasts. */
export type StepUpChallenge = {
  /** "password", "totp", "passkey", … in the server's order of preference. */
  methods: string[];
  maxAgeSeconds: number;
};

/**
 * Asks the user to prove who they are (the app shows a dialog). Resolves `true` once proven (the
 * request is then retried), `false` when the user cancelled. Concurrent requests share one ask.
 */
export type StepUpHandler = (challenge: StepUpChallenge) => Promise<boolean>;

/** The problem type of a 401 whose session ended (the server says why in `reason`). */
export const SESSION_ENDED_TYPE = "session-ended";
/** The (client-side) problem type of a change discarded because another user signed in. */
export const CHANGE_DISCARDED = "/problems/change-discarded";
/** The (client-side) problem type of a sensitive action not replayed after signing in again. */
export const RESUBMIT = "/problems/send-again";

/** Why the server says the session ended (`reason` of a session-ended 401); null if it did not say. */
export type SessionEnded = { reason: string | null };

/** A request that met an ended session, as it can be kept and sent again. */
export type EndedRequest = {
  method: string;
  /** Same-origin path and query. */
  url: string;
  /** The JSON body as sent (undefined when none). */
  body?: string;
  /** Whether it can be kept beyond this page (a string body or none). */
  keepable: boolean;
};

/**
 * What to do with a request that met an ended session: `replay` it (the same user signed in
 * again), `resubmit` (signed in again, but a sensitive action is not sent on its own: it
 * rejects with a "send it again" {@link ApiError}, the form keeps what was typed), `discard` it
 * (another user signed in: it rejects with a "change discarded" error), or `give-up` (the 401
 * goes to the unauthorized handler, as before).
 */
export type SessionEndedDecision = "replay" | "resubmit" | "discard" | "give-up";
export type SessionEndedHandler = (
  ended: SessionEnded,
  request: EndedRequest,
) => Promise<SessionEndedDecision>;

/**
 * Told when a request cannot reach the server (offline, server down): returns a promise that
 * resolves when it is worth sending again (a change waits), or null to fail at once (a read:
 * the page says so and offers to retry). `reachable` is told of every answer.
 */
export type ConnectionMonitor = {
  unreachable(request: { method: string; url: string }): Promise<void> | null;
  reachable(): void;
};

let unauthorizedHandler: (ended: SessionEnded) => void = () => {};
let sessionEndedHandler: SessionEndedHandler | null = null;
let connectionMonitor: ConnectionMonitor | null = null;
let stepUpHandler: StepUpHandler | null = null;
let stepUpInFlight: Promise<boolean> | null = null;

/** Called on any 401 that means the session is gone; the app wires this to its router. */
export function setUnauthorizedHandler(handler: (ended: SessionEnded) => void): void {
  unauthorizedHandler = handler;
}

/**
 * Called first on a 401 that means the session is gone: the app asks the user to sign in again
 * in place, and the request is then replayed (or discarded). Null: straight to the unauthorized
 * handler.
 */
export function setSessionEndedHandler(handler: SessionEndedHandler | null): void {
  sessionEndedHandler = handler;
}

/** Lets changes wait out a lost connection instead of failing (the app's offline banner). */
export function setConnectionMonitor(monitor: ConnectionMonitor | null): void {
  connectionMonitor = monitor;
}

/** Why the session ended, from a 401's problem body (`reason` of a session-ended problem). */
export async function sessionEndedOf(response: Response): Promise<SessionEnded> {
  if (!/json/i.test(response.headers.get("Content-Type") ?? "")) return { reason: null };
  try {
    const body = (await response.clone().json()) as { type?: unknown; reason?: unknown };
    const type = typeof body.type === "string" ? body.type : "";
    const isEnded = type === SESSION_ENDED_TYPE || type.endsWith(`/${SESSION_ENDED_TYPE}`);
    return { reason: isEnded && typeof body.reason === "string" ? body.reason : null };
  } catch {
    return { reason: null };
  }
}

/** Whether `error` is a change dropped because another user signed in meanwhile. */
export function isChangeDiscarded(error: unknown): boolean {
  return error instanceof ApiError && error.type === CHANGE_DISCARDED;
}

/** Called on a 401 "reauthentication required"; the app wires this to its step-up dialog. */
export function setStepUpHandler(handler: StepUpHandler | null): void {
  stepUpHandler = handler;
  stepUpInFlight = null;
}

function requestParts(input: RequestInfo | URL, init?: RequestInit) {
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  const raw = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const url = new URL(raw, "http://same-origin.invalid");
  return {
    method,
    url: `${url.pathname}${url.search}`,
    key: `${method} ${url.pathname.replace(/\/+$/, "")}`,
  };
}

/** The challenge of a 401 "reauthentication required" answer, or null for any other answer. */
export async function stepUpChallengeOf(response: Response): Promise<StepUpChallenge | null> {
  if (response.status !== 401 && response.status !== 403) return null;
  if (!/json/i.test(response.headers.get("Content-Type") ?? "")) return null;
  let body: { type?: unknown; methods?: unknown; maxAgeSeconds?: unknown };
  try {
    body = (await response.clone().json()) as typeof body;
  } catch {
    return null;
  }
  if (typeof body !== "object" || body === null || typeof body.type !== "string") return null;
  const type = body.type;
  if (type !== REAUTHENTICATION_REQUIRED && !type.endsWith(`/${REAUTHENTICATION_REQUIRED}`)) {
    return null;
  }
  return challengeFrom(body);
}

/** The `methods` and `maxAgeSeconds` of a reauthentication problem body (defaults if missing). */
export function challengeFrom(body: { methods?: unknown; maxAgeSeconds?: unknown }) {
  const methods = Array.isArray(body.methods)
    ? body.methods.filter((m): m is string => typeof m === "string")
    : [];
  return {
    methods: methods.length > 0 ? methods : ["password"],
    maxAgeSeconds: typeof body.maxAgeSeconds === "number" ? body.maxAgeSeconds : 600,
  } satisfies StepUpChallenge;
}

/** One dialog for every request that needs a step-up at the same time. */
function askForStepUp(challenge: StepUpChallenge): Promise<boolean> {
  const handler = stepUpHandler;
  if (!handler) return Promise.resolve(false);
  stepUpInFlight ??= handler(challenge)
    .catch(() => false)
    .finally(() => {
      stepUpInFlight = null;
    });
  return stepUpInFlight;
}

/** Whether `error` is a step-up the user cancelled (the form keeps what was typed). */
export function isStepUpCancelled(error: unknown): boolean {
  return error instanceof ApiError && error.type === STEP_UP_CANCELLED;
}

/** The error a request rejects with when the user cancelled its step-up. */
export function stepUpCancelledError(): ApiError {
  return new ApiError(403, STEP_UP_CANCELLED_MESSAGE, [], undefined, STEP_UP_CANCELLED);
}

/**
 * `fetch` for every API call: same-origin cookies, and central handling of
 * - step-up (401 "reauthentication required"): the user proves who they are in a dialog, then
 *   the same request, same body, is sent again and its answer is this call's answer; a
 *   cancelled dialog rejects with a "not done" {@link ApiError};
 * - an ended session (any other 401): the session-ended handler lets the user sign in again in
 *   place, then the request is replayed once (or discarded if someone else signed in); without
 *   that, the unauthorized handler;
 * - a lost connection: a change (not a GET) waits for the connection monitor and is sent again.
 */
export const apiFetch: typeof fetch = async (input, init) => {
  const { method, url, key } = requestParts(input, init);
  let replayed = false;
  for (;;) {
    let response: Response;
    try {
      response = await globalThis.fetch(input, { ...init, credentials: "same-origin" });
    } catch (error) {
      const wait = isAbort(error) ? null : connectionMonitor?.unreachable({ method, url });
      if (!wait) throw error;
      await wait;
      continue;
    }
    connectionMonitor?.reachable();
    if (response.status !== 401 || UNAUTHORIZED_IS_AN_ANSWER.has(key)) return response;
    const challenge = STEP_UP_PROOFS.has(key) ? null : await stepUpChallengeOf(response);
    if (challenge) {
      if (!(await askForStepUp(challenge))) throw stepUpCancelledError();
      continue; // proven: the same request again (a JSON body is a string: it can be sent twice)
    }
    const ended = await sessionEndedOf(response);
    if (sessionEndedHandler && !replayed) {
      const body = typeof init?.body === "string" ? init.body : undefined;
      const keepable = init?.body == null || body !== undefined;
      const decision = await sessionEndedHandler(ended, {
        method,
        url,
        keepable,
        ...(body === undefined ? {} : { body }),
      });
      if (decision === "replay") {
        replayed = true;
        continue;
      }
      if (decision === "discard") throw changeDiscardedError();
      if (decision === "resubmit") throw resubmitError();
    }
    unauthorizedHandler(ended);
    return response;
  }
};

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

function resubmitError(): ApiError {
  return new ApiError(
    401,
    "You're signed in again. Check what you entered and send it again.",
    [],
    undefined,
    RESUBMIT,
  );
}

function changeDiscardedError(): ApiError {
  return new ApiError(
    401,
    "Not saved: you signed in as someone else.",
    [],
    undefined,
    CHANGE_DISCARDED,
  );
}

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
  } catch (error) {
    if (error instanceof ApiError) throw error; // e.g. a cancelled step-up
    throw new ApiError(0, "Can't reach the server — check your connection and try again.");
  }
  if (!response.ok) throw await ApiError.from(response as unknown as Response);
  return response;
}

/**
 * A JSON call to a route the typed client does not know (yet): the second-factor and passkey
 * plugins' routes. Throws {@link ApiError} like {@link send}; a 204 resolves `undefined`.
 */
export async function requestJson<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(
    apiFetch(path, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) }),
    }),
  );
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export type Todo = InferResponseType<typeof api.todos.$get, 200>["todos"][number];
export type DeviceSession = InferResponseType<
  typeof api.auth.sessions.$get,
  200
>["sessions"][number];
export type ActivityEvent = InferResponseType<typeof api.auth.activity.$get, 200>["events"][number];
export type User = InferResponseType<typeof api.auth.me.$get, 200>["user"];
export type SessionClaims = InferResponseType<typeof api.auth.session.$get, 200>["session"];
