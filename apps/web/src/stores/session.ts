import { reactive, readonly } from "vue";
import { api, send, type SessionClaims, type User } from "../api/client";
import { sessionEndedMessage } from "../lib/session-ended-reason";

export type SessionStatus = "unknown" | "signed-in" | "signed-out";

/** Whether the account's email is verified; `undefined` when the server does not say. */
export function emailVerifiedOf(
  user: Pick<User, "emailVerified"> | null | undefined,
): boolean | undefined {
  const value: unknown = user?.emailVerified;
  return typeof value === "boolean" ? value : undefined;
}
/**
 * What a password sign-in gives: a session (`user`), or — with a second factor enrolled — no
 * session yet, and the methods the second step may use ("totp", "recovery_code", "passkey").
 */
export type SignInOutcome = { user: User } | { twoFactorRequired: true; methods: string[] };

/** How the sign-in page shows the one-time notice: news (session ended) or good news. */
export type NoticeTone = "info" | "success";

/**
 * What the SPA knows about its own sign-in. Cookies are HttpOnly, so the only source of truth
 * is the server: GET /api/auth/session answers 200 (signed in) or 401 (not).
 */
export function createSessionStore() {
  const state = reactive({
    status: "unknown" as SessionStatus,
    claims: null as SessionClaims | null,
    user: null as User | null,
    /** A one-time message for the sign-in page ("Your session ended…"). */
    notice: null as string | null,
    noticeTone: "info" as NoticeTone,
  });
  let probe: Promise<void> | null = null;
  let userLoad: Promise<User> | null = null;

  function markSignedIn(user: User | null): void {
    state.status = "signed-in";
    if (user) state.user = user;
    probe = Promise.resolve();
  }

  function markSignedOut(notice?: string, tone: NoticeTone = "info"): void {
    state.status = "signed-out";
    state.claims = null;
    state.user = null;
    probe = Promise.resolve();
    if (notice) {
      state.notice = notice;
      state.noticeTone = tone;
    }
  }

  async function loadUser(): Promise<User> {
    const response = await send(api.auth.me.$get());
    const { user } = await response.json();
    state.user = user;
    return user;
  }

  async function refresh(): Promise<void> {
    try {
      // `optional`: signed out is a 200 {session: null}, not a 401 (no console error per page).
      const response = await send(api.auth.session.$get({ query: { optional: "true" } }));
      const body = await response.json();
      if (body.session) {
        state.claims = body.session;
        state.status = "signed-in";
        return;
      }
      markSignedOut(
        "ended" in body && body.ended
          ? `${sessionEndedMessage(body.ended.reason)} Please sign in again.`
          : undefined,
      );
    } catch {
      // For routing, an unreachable server counts as signed out.
      state.status = "signed-out";
      state.claims = null;
      state.user = null;
    }
  }

  return {
    state: readonly(state),

    /** Probes the server once; later calls reuse the answer until something changes it. */
    ensureLoaded(): Promise<void> {
      probe ??= refresh();
      return probe;
    },

    refresh(): Promise<void> {
      probe = refresh();
      return probe;
    },

    get signedIn(): boolean {
      return state.status === "signed-in";
    },

    async signIn(email: string, password: string): Promise<SignInOutcome> {
      const response = await send(api.auth.login.$post({ json: { email, password } }));
      // The second-factor answer is not in the server's typed routes: read it by hand.
      const body = (await response.json()) as unknown as {
        user?: User;
        twoFactorRequired?: unknown;
        methods?: unknown;
      };
      if (body.twoFactorRequired === true) {
        const methods = Array.isArray(body.methods)
          ? body.methods.filter((m): m is string => typeof m === "string")
          : ["totp", "recovery_code"];
        return { twoFactorRequired: true, methods };
      }
      const user = body.user!;
      state.notice = null;
      markSignedIn(user);
      return { user };
    },

    /** A sign-in that ended otherwise (the second step, a passkey): the session is open. */
    completeSignIn(user: User): void {
      state.notice = null;
      markSignedIn(user);
    },

    /**
     * Creates the account. Usually that signs in (201); a host that requires verified emails
     * answers 202 instead, without a session: the user verifies, then signs in.
     */
    async signUp(input: {
      email: string;
      password: string;
      name?: string;
    }): Promise<{ user: User; verificationRequired: boolean }> {
      const response = await send(
        api.auth.register.$post({
          json: { email: input.email, password: input.password, name: input.name || null },
        }),
      );
      const body = await response.json();
      state.notice = null;
      if ("emailVerificationRequired" in body && body.emailVerificationRequired) {
        return { user: body.user, verificationRequired: true };
      }
      markSignedIn(body.user);
      return { user: body.user, verificationRequired: false };
    },

    /** Fetches the signed-in user afresh (GET /me). */
    loadUser,

    /** The signed-in user, fetched once if not known yet (concurrent calls share a request). */
    ensureUser(): Promise<User> {
      if (state.user) return Promise.resolve(state.user);
      userLoad ??= loadUser().finally(() => (userLoad = null));
      return userLoad;
    },

    /** The user as the server just answered it (after a profile change). */
    setUser(user: User): void {
      state.user = user;
    },

    /** Ends this session. Even if the server is unreachable, the SPA forgets it. */
    async signOut(): Promise<void> {
      try {
        await send(api.auth.logout.$post());
      } finally {
        markSignedOut();
      }
    },

    /** Revokes every session of the user, this one included. */
    async signOutEverywhere(): Promise<void> {
      await send(api.auth["logout-all"].$post());
      markSignedOut();
    },

    markSignedOut,

    /** Reads and clears the one-time notice. */
    takeNotice(): string | null {
      const notice = state.notice;
      state.notice = null;
      return notice;
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;

/** The app-wide instance. */
export const session = createSessionStore();
