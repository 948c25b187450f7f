import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessions } from "../schema/index.js";
import { createTestHost, STRONG_PASSWORD, uniqueEmail, type TestHost } from "../tests/test-host.js";

let t: TestHost;
beforeAll(async () => {
  t = await createTestHost();
});
afterAll(() => t.dispose());

const TTL = 600;
const GRACE = 20;

type TokenPair = {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  user?: { id: string; email: string };
};

/** A native app: no cookie jar at all, only what the body says. */
async function postToken(body: unknown, headers: Record<string, string> = {}) {
  return t.app.fetch(
    new Request("http://localhost/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/json", "User-Agent": "TodoCLI/1.0", ...headers },
      body: JSON.stringify(body),
    }),
  );
}

function withBearer(token: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("Authorization", `Bearer ${token}`);
  return t.app.fetch(new Request(new URL(path, "http://localhost"), { ...init, headers }));
}

/** A user who signed up in a browser, then signs in from a native client. */
async function bearerSignIn() {
  const { client, user, email } = await t.signUp();
  const response = await postToken({ grant_type: "password", email, password: STRONG_PASSWORD });
  expect(response.status).toBe(200);
  return { browser: client, user, pair: (await response.json()) as TokenPair, response };
}

async function refresh(refreshToken: string) {
  return postToken({ grant_type: "refresh_token", refresh_token: refreshToken });
}

describe("bearer transport: sign-in", () => {
  it("answers the pair in the body, sets no cookie, and is not cached", async () => {
    const { user, pair, response } = await bearerSignIn();
    expect(response.headers.getSetCookie()).toEqual([]);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(pair).toMatchObject({
      token_type: "Bearer",
      expires_in: TTL,
      user: { id: user.id },
    });
    expect(pair.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.refresh_token_expires_in).toBeGreaterThan(TTL);

    const notes = await withBearer(pair.access_token, "/api/notes");
    expect(notes.status).toBe(200);
    expect(await notes.json()).toMatchObject({ owner: user.id });
    expect(notes.headers.getSetCookie()).toEqual([]);
  });

  it("is a session like any other: on the devices list, named by its user agent", async () => {
    const { browser, pair } = await bearerSignIn();
    const listed = (await (await browser.get("/api/auth/sessions")).json()) as {
      sessions: { id: string; current: boolean; signInMethods: string[] }[];
    };
    expect(listed.sessions).toHaveLength(2);
    const fromBearer = (await (
      await withBearer(pair.access_token, "/api/auth/sessions")
    ).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    expect(fromBearer.sessions.filter((s) => s.current)).toHaveLength(1);
    const bearerSession = fromBearer.sessions.find((s) => s.current)!;
    expect(listed.sessions.find((s) => s.id === bearerSession.id)?.current).toBe(false);
  });

  it("refuses a wrong password exactly like POST /login, and a malformed body with 422", async () => {
    const { email } = await t.signUp();
    const wrong = await postToken({
      grant_type: "password",
      email,
      password: "not-the-password-1",
    });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.getSetCookie()).toEqual([]);
    const unknown = await postToken({
      grant_type: "password",
      email: uniqueEmail(),
      password: "x",
    });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toMatchObject({ detail: "Invalid email or password." });
    for (const body of [{ grant_type: "client_credentials" }, { grant_type: "password" }, {}]) {
      const response = await postToken(body);
      expect(response.status, JSON.stringify(body)).toBe(422);
    }
  });
});

describe("bearer transport: refresh", () => {
  it("hands a new access token; the refresh token rotates at most once per token lifetime", async () => {
    const { pair } = await bearerSignIn();
    t.clock.advanceSeconds(5);
    const early = (await (await refresh(pair.refresh_token!)).json()) as TokenPair;
    expect(early.access_token).not.toBe(pair.access_token);
    expect(early.refresh_token).toBe(pair.refresh_token);

    t.clock.advanceSeconds(TTL + 1);
    const expired = await withBearer(early.access_token, "/api/notes");
    expect(expired.status).toBe(401);
    expect(expired.headers.get("WWW-Authenticate")).toMatch(/^Bearer error="invalid_token"/);
    expect(expired.headers.getSetCookie()).toEqual([]);

    const rotated = await refresh(early.refresh_token!);
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as TokenPair;
    expect(next.refresh_token).toBeDefined();
    expect(next.refresh_token).not.toBe(pair.refresh_token);
    expect((await withBearer(next.access_token, "/api/notes")).status).toBe(200);
  });

  it("honours the rotated-out token in the grace window without handing it back", async () => {
    const { pair } = await bearerSignIn();
    t.clock.advanceSeconds(TTL + 1);
    const first = (await (await refresh(pair.refresh_token!)).json()) as TokenPair;
    t.clock.advanceSeconds(GRACE - 5);
    const racing = await refresh(pair.refresh_token!);
    expect(racing.status).toBe(200);
    const raced = (await racing.json()) as TokenPair;
    // The client must keep the newer token the other refresh got, never this old one.
    expect(raced.refresh_token).toBeUndefined();
    expect((await withBearer(raced.access_token, "/api/notes")).status).toBe(200);
    expect((await refresh(first.refresh_token!)).status).toBe(200);
  });

  it("an old refresh token after the grace window ends the whole session (reuse detection)", async () => {
    const { pair, user } = await bearerSignIn();
    t.clock.advanceSeconds(TTL + 1);
    const next = (await (await refresh(pair.refresh_token!)).json()) as TokenPair;
    t.clock.advanceSeconds(GRACE + 1);
    const replay = await refresh(pair.refresh_token!);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({
      type: "/problems/invalid-grant",
      error: "invalid_grant",
      reason: "token_reuse",
    });
    // The thief's and the owner's tokens die together.
    expect((await refresh(next.refresh_token!)).status).toBe(400);
    const denied = await withBearer(next.access_token, "/api/notes");
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({ reason: "token_reuse" });
    const rows = await t.database.db.select().from(sessions).where(eq(sessions.userId, user.id));
    const bearerRow = rows.find((row) => row.userAgent === "TodoCLI/1.0");
    expect(bearerRow?.revokedAt).not.toBeNull();
  });

  it("refuses a refresh token that is garbage or unknown with invalid_grant", async () => {
    for (const token of ["x", "A".repeat(43), "é".repeat(43)]) {
      const response = await refresh(token);
      expect(response.status, token).toBe(400);
      expect(await response.json()).toMatchObject({ error: "invalid_grant" });
    }
  });
});

describe("bearer transport: revocation is the same as the browser's", () => {
  it("log out everywhere in a browser stops the bearer access token at once, and its refresh", async () => {
    const { browser, pair } = await bearerSignIn();
    expect((await withBearer(pair.access_token, "/api/notes")).status).toBe(200);
    expect((await browser.post("/api/auth/logout-all")).status).toBe(204);
    const denied = await withBearer(pair.access_token, "/api/notes");
    expect(denied.status).toBe(401);
    expect(await denied.json()).toMatchObject({
      type: "/problems/session-ended",
      reason: "signed_out_everywhere",
    });
    expect(denied.headers.get("WWW-Authenticate")).toMatch(/invalid_token/);
    const refused = await refresh(pair.refresh_token!);
    expect(await refused.json()).toMatchObject({ reason: "signed_out_everywhere" });
  });

  it("revoking the bearer session from the devices page ends it; its own logout works too", async () => {
    const { browser, pair } = await bearerSignIn();
    const listed = (await (await withBearer(pair.access_token, "/api/auth/sessions")).json()) as {
      sessions: { id: string; current: boolean }[];
    };
    const own = { session: listed.sessions.find((s) => s.current)! };
    expect((await browser.delete(`/api/auth/sessions/${own.session.id}`)).status).toBe(204);
    expect((await withBearer(pair.access_token, "/api/notes")).status).toBe(401);

    const other = await bearerSignIn();
    const logout = await withBearer(other.pair.access_token, "/api/auth/logout", {
      method: "POST",
    });
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie()).toEqual([]);
    expect((await refresh(other.pair.refresh_token!)).status).toBe(400);
  });
});

describe("bearer transport: one credential per request, no CSRF check", () => {
  it("refuses a bearer token together with auth cookies (400), whichever is valid", async () => {
    const { browser, pair } = await bearerSignIn();
    const response = await browser.get("/api/notes", {
      Authorization: `Bearer ${pair.access_token}`,
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "/problems/mixed-credentials" });
  });

  it("needs no same-origin check: a bearer token is never sent by a browser on its own", async () => {
    const { pair } = await bearerSignIn();
    const response = await withBearer(pair.access_token, "/api/auth/logout-others", {
      method: "POST",
      headers: { Origin: "https://evil.example" },
    });
    expect(response.status).toBe(204);
    // A cookie request from there is still refused.
    const { client } = await t.signUp();
    const csrf = await client.request("POST", "/api/auth/logout-others", {
      headers: { Origin: "https://evil.example" },
    });
    expect(csrf.status).toBe(403);
  });

  it("never falls back to anonymous: a bad or foreign Authorization header is a 401", async () => {
    for (const header of ["Bearer", "Bearer not-a-token", "Bearer a.b.c", "Bearer a b"]) {
      const response = await t.app.fetch(
        new Request("http://localhost/api/auth/session?optional=true", {
          headers: { Authorization: header },
        }),
      );
      expect(response.status, header).toBe(401);
      expect(response.headers.get("WWW-Authenticate"), header).toMatch(/^Bearer error=/);
    }
  });

  it("costs no query on the hot path once the token is verified", async () => {
    const { pair } = await bearerSignIn();
    await withBearer(pair.access_token, "/api/notes");
    t.queries.reset();
    for (let i = 0; i < 5; i++)
      expect((await withBearer(pair.access_token, "/api/notes")).status).toBe(200);
    expect(t.queries.count).toBe(0);
  });
});
