import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import { readPeerFirst } from "./abuse/limiter-client.js";
import { changePassword, revokeAllSessions, revokeSessionSelection } from "./account.js";
import { signedIn, type AuthEnv, type Authenticator, type SignedInEnv } from "./authenticator.js";
import { verifyCurrentPassword } from "./password/current-password.js";
import { passwordCheckBody, passwordChecker } from "./password/check-route.js";
import {
  reauthenticated,
  reauthenticationRequired,
  stepUpMethods,
} from "./second-factor/step-up.js";
import { displayName, jsonBody, safeText } from "./http/json-body.js";
import { ProblemError, SIGN_IN_REQUIRED, validationError } from "./http/problem.js";
import { sessionResponse } from "./http/session-body.js";
import type { AuthRuntime } from "./runtime.js";
import { clientInfo } from "./sessions/client-info.js";
import { describeDevice } from "./sessions/device.js";
import { signedOutSession, withProbeQuery } from "./sessions/session-probe.js";
import { isLiveSessionOf, listLiveSessions } from "./sessions/session-store.js";
import { login, register } from "./sign-in.js";
import { createTokenRoute } from "./bearer/token-route.js";
import { bearerPairInBody } from "./bearer/pair-in-body.js";
import { findUserById, toPublicUser } from "./users/user-store.js";
import { isUuid } from "./ids.js";
import { emailAddress } from "./users/email-address.js";
import { describeAuthRoute as docs } from "./openapi/auth-routes.js";
import { validateUserFields, type UserFieldDefinitions } from "./users/user-fields.js";

const email = emailAddress;
/** Bounded before anything else looks at it; the policy's own limits come after NFKC. */
const password = safeText().min(1, "is required").max(4096, "is too long");

const coreRegisterFields = {
  email,
  password,
  name: displayName().nullish(),
};

const coreRegisterBody = z.strictObject(coreRegisterFields);

/**
 * The core's sign-up fields and the host's extra ones, which their own schemas validate next.
 * Typed as the core's body: the host's fields are not known to the type system.
 */
function registerBody(userFields: UserFieldDefinitions): typeof coreRegisterBody {
  const extra = Object.fromEntries(
    Object.keys(userFields).map((name) => [name, z.unknown().optional()]),
  );
  return coreRegisterBody.extend(extra) as unknown as typeof coreRegisterBody;
}
const loginBody = z.strictObject({ email, password });
const passwordBody = z.strictObject({ currentPassword: password, newPassword: password });
const reauthenticateBody = z.strictObject({ password });

const notFound = (what: string) => new ProblemError({ status: 404, detail: `No such ${what}.` });

/** The core's auth HTTP contract (docs/design.md) as a sub-app. */
export function createAuthRoutes(
  runtime: AuthRuntime,
  authenticator: Authenticator,
  requireRecentAuth: MiddlewareHandler<SignedInEnv>,
) {
  const { requireAuth } = authenticator;
  const { lifetimes, tables } = runtime;
  const checkPassword = passwordChecker(runtime);

  return (
    new Hono<AuthEnv>()
      // Before the auth middleware: it needs no session, so it never looks one up, and never
      // clears the cookies of an ended session (the next real request must still learn why it
      // ended). No caching and the CSRF check of its own.
      .post(
        "/password/check",
        docs.checkPassword,
        authenticator.sessionFree,
        readPeerFirst,
        jsonBody(passwordCheckBody),
        async (c) => c.json(await checkPassword(c, c.req.valid("json")), 200),
      )
      // A second step of a bearer sign-in answers the pair in its body (no cookie).
      .use(bearerPairInBody)
      // The bearer transport's sign-in and refresh: no cookie, no session look-up before it.
      .route("/", createTokenRoute(runtime, authenticator))
      // No caching, the CSRF check and the signed-in user, in one layer. Handlers that need a
      // user call `signedIn(c)`, which answers 401; `requireAuth` stays in front of body
      // validation, so an anonymous request gets 401 rather than 422.
      .use(authenticator.middleware)
      .post(
        "/register",
        docs.register,
        readPeerFirst,
        jsonBody(registerBody(runtime.userFields)),
        async (c) => {
          const body: Record<string, unknown> & z.output<typeof coreRegisterBody> =
            c.req.valid("json");
          const fields = await validateUserFields(runtime.userFields, body);
          if ("errors" in fields) throw validationError(fields.errors);
          const { user, sessionStarted } = await register(runtime, c, {
            ...body,
            fields: fields.values,
          });
          if (!sessionStarted) return c.json({ user, emailVerificationRequired: true }, 202);
          return c.json({ user }, 201);
        },
      )
      .post("/login", docs.login, readPeerFirst, jsonBody(loginBody), async (c) => {
        return c.json(await login(runtime, c, c.req.valid("json")), 200);
      })
      .post("/logout", docs.logout, async (c) => {
        const auth = c.get("auth");
        if (auth) {
          await revokeSessionSelection(
            runtime,
            { kind: "one", userId: auth.userId, sessionId: auth.sessionId },
            {
              reason: "signed_out",
              actorSessionId: auth.sessionId,
              client: clientInfo(runtime, c),
            },
          );
        }
        runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .post("/logout-all", docs.logoutAll, async (c) => {
        const auth = signedIn(c);
        await revokeAllSessions(runtime, auth.userId, {
          reason: "signed_out_everywhere",
          actorSessionId: auth.sessionId,
          client: clientInfo(runtime, c),
        });
        runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .post("/logout-others", docs.logoutOthers, async (c) => {
        const auth = signedIn(c);
        await revokeSessionSelection(
          runtime,
          { kind: "allExcept", userId: auth.userId, keepSessionId: auth.sessionId },
          {
            reason: "signed_out_others",
            actorSessionId: auth.sessionId,
            client: clientInfo(runtime, c),
          },
        );
        return c.body(null, 204);
      })
      .get("/session", withProbeQuery(docs.session), (c) => {
        const auth = c.get("auth");
        return auth ? sessionResponse(c, auth) : signedOutSession(c);
      })
      .get("/me", docs.me, async (c) => {
        const user = await findUserById(runtime.db, tables, signedIn(c).userId);
        if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
        return c.json({ user: toPublicUser(user, runtime.userFields) });
      })
      .get("/sessions", docs.sessions, async (c) => {
        const auth = signedIn(c);
        const rows = await listLiveSessions(
          runtime.db,
          tables,
          auth.userId,
          runtime.clock.now(),
          lifetimes,
        );
        const sessions = rows.map((row) => ({
          id: row.id,
          current: row.id === auth.sessionId,
          createdAt: row.createdAt.toISOString(),
          lastSeenAt: row.lastSeenAt.toISOString(),
          expiresAt: row.expiresAt.toISOString(),
          device: describeDevice(row.userAgent),
          ip: row.ip,
          signInMethods: row.signInMethods,
        }));
        return c.json({ sessions });
      })
      .delete("/sessions/:id", docs.revokeSession, async (c) => {
        const auth = signedIn(c);
        const sessionId = c.req.param("id");
        if (!isUuid(sessionId)) throw notFound("session");
        const live = await isLiveSessionOf(
          runtime.db,
          tables,
          auth.userId,
          sessionId,
          runtime.clock.now(),
          lifetimes,
        );
        if (!live) throw notFound("session");
        await revokeSessionSelection(
          runtime,
          { kind: "one", userId: auth.userId, sessionId },
          {
            reason: "session_revoked",
            actorSessionId: auth.sessionId,
            client: clientInfo(runtime, c),
          },
        );
        if (sessionId === auth.sessionId) runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .post(
        "/password",
        docs.changePassword,
        requireAuth,
        requireRecentAuth,
        readPeerFirst,
        jsonBody(passwordBody),
        async (c) => {
          await changePassword(runtime, c, signedIn(c), c.req.valid("json"));
          return c.body(null, 204);
        },
      )
      .post(
        "/reauthenticate",
        docs.reauthenticate,
        requireAuth,
        readPeerFirst,
        jsonBody(reauthenticateBody),
        async (c) => {
          const auth = signedIn(c);
          runtime.hasher.assertCapacity(); // shed before any other work
          const user = await findUserById(runtime.db, tables, auth.userId);
          if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
          const methods = await stepUpMethods(runtime, user.id);
          if (!methods.includes("password")) {
            const maxAge = runtime.reauthenticationMaxAgeSeconds;
            throw new ProblemError(reauthenticationRequired(methods, maxAge, 403));
          }
          const { password } = c.req.valid("json");
          await verifyCurrentPassword(runtime, c, user, password, { pointer: "/password" });
          return c.json(await reauthenticated(runtime, c, "password", user), 200);
        },
      )
  );
}

export type AuthRoutes = ReturnType<typeof createAuthRoutes>;
