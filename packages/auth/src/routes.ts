import { Hono, type Context } from "hono";
import { z } from "zod";
import { changePassword, revokeAllSessions, revokeSessionSelection } from "./account";
import type { AuthEnv, AuthState, Authenticator } from "./authenticator";
import { jsonBody, safeText } from "./http/json-body";
import { ProblemError, SIGN_IN_REQUIRED } from "./http/problem";
import { sessionResponse } from "./http/session-body";
import type { AuthRuntime } from "./runtime";
import { clientInfo, recentSecurityEvents } from "./security-events";
import { describeDevice } from "./sessions/device";
import { isLiveSessionOf, listLiveSessions } from "./sessions/session-store";
import { login, register } from "./sign-in";
import { findUserById, toPublicUser } from "./users/user-store";
import { isUuid } from "./ids";

const email = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be a valid email address"));
/** Bounded before anything else looks at it; the policy's own limits come after NFKC. */
const password = safeText().min(1, "is required").max(4096, "is too long");

const registerBody = z.strictObject({
  email,
  password,
  name: safeText().trim().max(100, "must be at most 100 characters").nullish(),
});
const loginBody = z.strictObject({ email, password });
const passwordBody = z.strictObject({ currentPassword: password, newPassword: password });

function signedIn(c: Context<AuthEnv>): AuthState {
  const auth = c.get("auth");
  if (!auth) throw new ProblemError(SIGN_IN_REQUIRED);
  return auth;
}

const notFound = (what: string) => new ProblemError({ status: 404, detail: `No such ${what}.` });

/** The auth HTTP contract of DESIGN.md as a sub-app; mount it with `app.route(path, …)`. */
export function createAuthRoutes(runtime: AuthRuntime, authenticator: Authenticator) {
  const { requireAuth } = authenticator;
  const lifetimes = runtime.lifetimes;

  return (
    new Hono<AuthEnv>()
      // No caching, the CSRF check and the signed-in user, in one layer. Handlers that need a
      // user call `signedIn(c)`, which answers 401; `requireAuth` stays in front of body
      // validation, so an anonymous request gets 401 rather than 422.
      .use(authenticator.middleware)
      .post("/register", jsonBody(registerBody), async (c) => {
        const user = await register(runtime, c, c.req.valid("json"));
        return c.json({ user }, 201);
      })
      .post("/login", jsonBody(loginBody), async (c) => {
        const user = await login(runtime, c, c.req.valid("json"));
        return c.json({ user }, 200);
      })
      .post("/logout", async (c) => {
        const auth = c.get("auth");
        if (auth) {
          await revokeSessionSelection(
            runtime,
            { kind: "one", userId: auth.userId, sessionId: auth.sessionId },
            { type: "signed_out", sessionId: auth.sessionId, client: clientInfo(runtime, c) },
          );
        }
        runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .post("/logout-all", async (c) => {
        const auth = signedIn(c);
        await revokeAllSessions(runtime, auth.userId, {
          type: "signed_out_everywhere",
          sessionId: auth.sessionId,
          client: clientInfo(runtime, c),
        });
        runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .post("/logout-others", async (c) => {
        const auth = signedIn(c);
        await revokeSessionSelection(
          runtime,
          { kind: "allExcept", userId: auth.userId, keepSessionId: auth.sessionId },
          { type: "signed_out_others", sessionId: auth.sessionId, client: clientInfo(runtime, c) },
        );
        return c.body(null, 204);
      })
      .get("/session", (c) => sessionResponse(c, signedIn(c)))
      .get("/me", async (c) => {
        const user = await findUserById(runtime.db, signedIn(c).userId);
        if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
        return c.json({ user: toPublicUser(user) });
      })
      .get("/sessions", async (c) => {
        const auth = signedIn(c);
        const rows = await listLiveSessions(
          runtime.db,
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
        }));
        return c.json({ sessions });
      })
      .delete("/sessions/:id", async (c) => {
        const auth = signedIn(c);
        const sessionId = c.req.param("id");
        if (!isUuid(sessionId)) throw notFound("session");
        const live = await isLiveSessionOf(
          runtime.db,
          auth.userId,
          sessionId,
          runtime.clock.now(),
          lifetimes,
        );
        if (!live) throw notFound("session");
        await revokeSessionSelection(
          runtime,
          { kind: "one", userId: auth.userId, sessionId },
          { type: "session_revoked", sessionId: auth.sessionId, client: clientInfo(runtime, c) },
        );
        if (sessionId === auth.sessionId) runtime.cookies.clear(c);
        return c.body(null, 204);
      })
      .get("/activity", async (c) => {
        const auth = signedIn(c);
        const rows = await recentSecurityEvents(runtime.db, auth.userId);
        const events = rows.map((row) => ({
          id: String(row.id),
          type: row.type,
          createdAt: row.createdAt.toISOString(),
          ip: row.ip,
          device: describeDevice(row.userAgent),
          thisDevice: row.sessionId !== null && row.sessionId === auth.sessionId,
        }));
        return c.json({ events });
      })
      .post("/password", requireAuth, jsonBody(passwordBody), async (c) => {
        await changePassword(runtime, signedIn(c), c.req.valid("json"), clientInfo(runtime, c));
        return c.body(null, 204);
      })
  );
}

export type AuthRoutes = ReturnType<typeof createAuthRoutes>;
