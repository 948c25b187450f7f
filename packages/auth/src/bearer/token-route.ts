import { Hono } from "hono";
import { z } from "zod";
import { readPeerFirst } from "../abuse/limiter-client.js";
import type { Authenticator } from "../authenticator.js";
import { emailAddress } from "../users/email-address.js";
import { jsonBody, safeText } from "../http/json-body.js";
import { ProblemError, type Problem } from "../http/problem.js";
import type { AuthRuntime } from "../runtime.js";
import type { SessionEndedReason } from "../sessions/ended-session.js";
import { login } from "../sign-in.js";
import { tokenRouteDocs } from "./token-route-docs.js";
import { useBearerTransport, type IssuedToken, type TokenSink } from "./token-sink.js";

const passwordGrant = z.strictObject({
  grant_type: z.literal("password"),
  email: emailAddress,
  password: safeText().min(1, "is required").max(4096, "is too long"),
});

const refreshGrant = z.strictObject({
  grant_type: z.literal("refresh_token"),
  refresh_token: z.string().min(1, "is required").max(200, "is too long"),
});

/** `POST /token`'s body: a sign-in with a password, or a refresh. */
export const tokenRequestBody = z.discriminatedUnion("grant_type", [passwordGrant, refreshGrant]);

/** RFC 6749 §5.2's `invalid_grant`, as a problem: the refresh token opens no session. */
function invalidGrant(ended: SessionEndedReason | undefined): Problem {
  return {
    status: 400,
    type: "/problems/invalid-grant",
    title: "Invalid grant",
    detail: "The refresh token is invalid, or its session has ended. Sign in again.",
    extensions: { error: "invalid_grant", ...(ended === undefined ? {} : { reason: ended }) },
  };
}

/**
 * The pair in the body (RFC 6749 §5.1 names), from what the core would have set as cookies.
 * No `refresh_token` when the client must keep the one it has (see `Refreshed`).
 */
function tokenResponse(sink: TokenSink, refreshToken: IssuedToken | undefined) {
  const access = sink.access;
  if (!access) throw new Error("a bearer sign-in issued no access token");
  return {
    access_token: access.token,
    token_type: "Bearer" as const,
    expires_in: access.maxAgeSeconds,
    ...(refreshToken
      ? {
          refresh_token: refreshToken.token,
          refresh_token_expires_in: refreshToken.maxAgeSeconds,
        }
      : {}),
  };
}

/**
 * `POST /token`: the bearer transport's sign-in and refresh, for clients that cannot hold
 * cookies (native apps, CLIs). A password grant signs in exactly like `POST /login` (limits,
 * hooks, a session on the devices page) and answers the pair in the body; a refresh grant is
 * the session cookie's silent reissue (rotation, grace window, reuse detection). Never sets a
 * cookie; needs no CSRF check (nothing ambient authenticates it).
 *
 * @example
 * // curl -X POST …/api/auth/token -H 'Content-Type: application/json' \
 * //   -d '{"grant_type":"password","email":"ada@example.com","password":"…"}'
 */
export function createTokenRoute(runtime: AuthRuntime, authenticator: Authenticator) {
  return new Hono().post(
    "/token",
    tokenRouteDocs,
    async (c, next) => {
      c.header("Cache-Control", "no-store");
      await next();
    },
    readPeerFirst,
    jsonBody(tokenRequestBody),
    async (c) => {
      const body = c.req.valid("json");
      const sink = useBearerTransport(c);
      if (body.grant_type === "password") {
        const outcome = await login(runtime, c, body);
        if ("twoFactorRequired" in outcome) {
          // The second step is the browser's route, with the pending sign-in in a header.
          const pending = sink.pending;
          if (!pending) throw new Error("a bearer sign-in started no second step");
          return c.json(
            {
              two_factor_required: true as const,
              methods: [...outcome.methods],
              pending_token: pending.token,
              pending_token_expires_in: pending.maxAgeSeconds,
            },
            200,
          );
        }
        if (!sink.session) throw new Error("a bearer sign-in did not open a session");
        return c.json({ ...tokenResponse(sink, sink.session), user: outcome.user }, 200);
      }
      const refreshed = await authenticator.refresh(c, body.refresh_token);
      if ("ended" in refreshed) throw new ProblemError(invalidGrant(refreshed.ended));
      const now = runtime.clock.now();
      const maxAgeSeconds = Math.max(
        0,
        Math.floor((refreshed.refreshTokenExpiresAt.getTime() - now) / 1000),
      );
      sink.access = { token: refreshed.accessToken, maxAgeSeconds: runtime.accessTtlSeconds };
      const { refreshToken } = refreshed;
      const keep = refreshToken === undefined ? undefined : { token: refreshToken, maxAgeSeconds };
      return c.json(tokenResponse(sink, keep), 200);
    },
  );
}
