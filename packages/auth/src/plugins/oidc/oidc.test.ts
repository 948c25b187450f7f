import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { generateKeyPair } from "jose";
import { createLifecycleHost, type LifecycleHost } from "../../tests/lifecycle-host.js";
import { STRONG_PASSWORD, uniqueEmail } from "../../tests/test-host.js";
import {
  CLIENT_ID,
  CLIENT_SECRET,
  startTestOidcProvider,
  tamperingFetch,
  visitProvider,
  type TestOidcProvider,
} from "../../tests/oidc-test-provider.js";
import type { TestClient } from "../../testing/test-client.js";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { SoftwareAuthenticator } from "../../tests/software-authenticator.js";
import { passkeys } from "../passkeys/index.js";
import { rowsOf } from "../../retention/retention.js";
import { openApiDocument } from "../../openapi/document.js";
import { tableNamer } from "../../schema/table-names.js";
import { createCoreTables } from "../../schema/core-tables.js";
import { securityEventsTable } from "../security-events/table.js";
import { securityEventTypes } from "../../tests/security-event-types.js";
import { SecretBox } from "../two-factor/secret-box.js";
import { githubProvider, oidc, oidcProvider } from "./index.js";
import { oidcTables } from "./tables.js";

const AUTH = "/api/auth";
const APP = "http://localhost";
const callbackOf = (id: string) => `${APP}${AUTH}/oidc/${id}/callback`;
const IDS = ["test", "tamper", "es", "other", "kept", "github"];
const PASSKEY_ORIGIN = "https://app.example.test";

let provider: TestOidcProvider;
let host: LifecycleHost;
/** What the `tamper` provider's fetch does to the next ID token. */
let tamper: Parameters<typeof tamperingFetch>[1] = () => {};
const core = createCoreTables();
const tables = oidcTables(tableNamer(""), core);
const events = securityEventsTable(tableNamer(""), core);
const errors: unknown[] = [];

beforeAll(async () => {
  provider = await startTestOidcProvider({
    redirectUris: IDS.map(callbackOf),
    clients: [
      {
        client_id: "tidy-es",
        client_secret: CLIENT_SECRET,
        redirect_uris: [callbackOf("es")],
        id_token_signed_response_alg: "ES256",
      },
    ],
  });
  const common = { issuer: provider.issuer, clientSecret: CLIENT_SECRET };
  host = await createLifecycleHost({}, {}, [
    oidc({
      providers: [
        oidcProvider({
          ...common,
          id: "test",
          name: "Test ID",
          clientId: CLIENT_ID,
          redirectUri: callbackOf("test"),
        }),
        oidcProvider({
          ...common,
          id: "tamper",
          name: "Tampered",
          clientId: CLIENT_ID,
          redirectUri: callbackOf("tamper"),
          fetch: tamperingFetch(provider_(), (claims, header) => tamper(claims, header)),
        }),
        // The provider signs this client's ID tokens with ES256; the client pins RS256.
        oidcProvider({
          ...common,
          id: "es",
          name: "ES",
          clientId: "tidy-es",
          redirectUri: callbackOf("es"),
        }),
        oidcProvider({
          ...common,
          id: "other",
          name: "Other",
          clientId: CLIENT_ID,
          redirectUri: callbackOf("other"),
        }),
      ],
      onError: (error) => errors.push(error),
    }),
    passkeys({ rpId: "example.test", rpName: "Tidy", origins: [PASSKEY_ORIGIN] }),
  ]);
}, 30_000);
afterAll(async () => {
  await host?.dispose();
  await provider?.close();
});

/** The provider, read when the fetch runs (it is created before the host). */
function provider_(): TestOidcProvider {
  return new Proxy({} as TestOidcProvider, {
    get: (_t, key) => provider[key as keyof TestOidcProvider],
  });
}

function account(claims: { email?: string; email_verified?: boolean; name?: string } = {}) {
  const id = `user-${Math.random().toString(36).slice(2)}`;
  provider.accounts.set(id, {
    email: uniqueEmail(),
    email_verified: true,
    name: "Ada Lovelace",
    ...claims,
  });
  return id;
}

async function start(browser: TestClient, id = "test"): Promise<URL> {
  const response = await browser.post(`${AUTH}/oidc/${id}/start`, {});
  const body = await response.text();
  expect(response.status, body).toBe(200);
  return new URL((JSON.parse(body) as { url: string }).url);
}

/** The provider's redirect back for `login` (or a denial), without following it. */
async function atProvider(url: URL, login: string | null): Promise<URL> {
  provider.next = login === null ? { deny: true } : { login };
  return visitProvider(url.href, `${APP}${AUTH}/oidc/`);
}

/** Opens the callback in `browser`: where it sends the browser. */
async function land(browser: TestClient, callback: URL): Promise<URL> {
  const response = await browser.get(`${callback.pathname}${callback.search}`);
  expect(response.status).toBe(303);
  return new URL(response.headers.get("location")!, APP);
}

async function flow(browser: TestClient, login: string | null, id = "test") {
  const callback = await atProvider(await start(browser, id), login);
  return land(browser, callback);
}

async function json<T>(response: Response, status: number): Promise<T> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return (text ? JSON.parse(text) : undefined) as T;
}

const signedIn = (browser: TestClient) =>
  browser.sessionCookies.filter((name) => name === "auth_access" || name === "auth_session").sort();

async function userCount(): Promise<number> {
  const result = await host.database.db.execute(sql`select count(*)::int as n from users`);
  return rowsOf<{ n: number }>(result)[0]!.n;
}

const eventTypes = (userId: string) => securityEventTypes(host.database.db, userId);

async function me(browser: TestClient) {
  return (
    await json<{ user: { id: string; email: string; emailVerified: boolean } }>(
      await browser.get(`${AUTH}/me`),
      200,
    )
  ).user;
}

describe("oidc: sign up and sign in with a provider", () => {
  it("lists the configured providers for the buttons", async () => {
    const body = await json<{ providers: unknown[] }>(
      await host.client().get(`${AUTH}/oidc/providers`),
      200,
    );
    expect(body.providers).toEqual([
      { id: "test", name: "Test ID" },
      { id: "tamper", name: "Tampered" },
      { id: "es", name: "ES" },
      { id: "other", name: "Other" },
    ]);
  });

  it("asks for the code with PKCE S256, state and nonce, the exact redirect URI, and a sealed HttpOnly flow cookie", async () => {
    const browser = host.client();
    const response = await browser.post(`${AUTH}/oidc/test/start`, {});
    const { url } = await json<{ url: string }>(response, 200);
    const params = new URL(url).searchParams;
    expect(params.get("response_type")).toBe("code");
    expect(params.get("code_challenge_method")).toBe("S256");
    expect(params.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("nonce")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get("redirect_uri")).toBe(callbackOf("test"));
    expect(params.get("scope")).toBe("openid email profile");
    const cookie = response.headers.getSetCookie().find((c) => c.startsWith("auth_oidc="))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Max-Age=600/i);
    // Sealed: neither the state nor the nonce can be read from it.
    expect(cookie).not.toContain(params.get("state")!);
    expect(cookie).not.toContain(params.get("nonce")!);
    // Only the state's hash is stored.
    const stored = JSON.stringify(await host.database.db.select().from(tables.flows));
    expect(stored).not.toContain(params.get("state")!);
    expect(stored).toContain(createHash("sha256").update(params.get("state")!).digest("base64url"));
  });

  it("creates a verified, password-less account with a session like a password sign-up", async () => {
    const login = account({ name: "Grace Hopper" });
    const email = provider.accounts.get(login)!.email!;
    const browser = host.client();
    const target = await flow(browser, login);
    expect(target.pathname).toBe("/");
    expect(signedIn(browser)).toEqual(["auth_access", "auth_session"]);
    expect(browser.cookies.has("auth_oidc")).toBe(false);
    const user = await me(browser);
    expect(user).toMatchObject({ email, emailVerified: true });
    const [row] = await host.database.db
      .select()
      .from(core.users)
      .where(eq(core.users.id, user.id));
    expect(row!.passwordHash).toBe("!no-password");
    expect(row!.name).toBe("Grace Hopper");
    const identities = await host.database.db
      .select()
      .from(tables.identities)
      .where(eq(tables.identities.userId, user.id));
    expect(identities).toMatchObject([
      { provider: "test", issuer: provider.issuer, subject: login, email },
    ]);
    // Tokens are not kept unless the host asks.
    expect(identities[0]).toMatchObject({ accessToken: null, refreshToken: null });
    expect(await eventTypes(user.id)).toEqual(["signed_up"]);
    const sessions = await json<{ sessions: { signInMethods?: string[] }[] }>(
      await browser.get(`${AUTH}/sessions`),
      200,
    );
    expect(sessions.sessions[0]!.signInMethods).toEqual(["oidc:test"]);
    // No verification mail for an address the provider verified.
    await host.deliver();
    expect(host.mailTo(email)).toEqual([]);
    expect(await json(await browser.get(`${AUTH}/identities`), 200)).toMatchObject({
      identities: [{ provider: "test", providerName: "Test ID", email }],
      passwordSet: false,
    });
  });

  it("signs the same user in again after a sign-out, recording how", async () => {
    const login = account();
    const first = host.client();
    await flow(first, login);
    const user = await me(first);
    await json(await first.post(`${AUTH}/logout`), 204);
    const users = await userCount();
    const again = host.client();
    const target = await flow(again, login);
    expect(target.pathname).toBe("/");
    expect((await me(again)).id).toBe(user.id);
    expect(await userCount()).toBe(users);
    expect(await eventTypes(user.id)).toEqual(["signed_up", "signed_out", "signed_in"]);
    const [event] = await host.database.db
      .select({ detail: events.detail })
      .from(events)
      .where(eq(events.type, "signed_in"))
      .orderBy(sql`${events.id} desc`)
      .limit(1);
    expect(event!.detail).toEqual({ methods: "oidc:test" });
  });

  it("refuses a disabled account", async () => {
    const login = account();
    const first = host.client();
    await flow(first, login);
    const user = await me(first);
    await host.database.db
      .update(core.users)
      .set({ disabledAt: new Date() })
      .where(eq(core.users.id, user.id));
    const browser = host.client();
    const target = await flow(browser, login);
    expect(target.searchParams.get("oidc_error")).toBe("account_disabled");
    expect(signedIn(browser)).toEqual([]);
  });
});

describe("oidc: every failure lands on the sign-in page, with nothing created", () => {
  it("a denied consent", async () => {
    const users = await userCount();
    const browser = host.client();
    const target = await flow(browser, null);
    expect(target.pathname).toBe("/sign-in");
    expect(target.searchParams.get("oidc_error")).toBe("access_denied");
    expect(signedIn(browser)).toEqual([]);
    expect(await userCount()).toBe(users);
  });

  it("a provider error", async () => {
    const browser = host.client();
    const url = await start(browser);
    const state = url.searchParams.get("state")!;
    const target = await land(
      browser,
      new URL(`${callbackOf("test")}?error=server_error&state=${state}`),
    );
    expect(target.searchParams.get("oidc_error")).toBe("provider_error");
  });

  it("a tampered state", async () => {
    const login = account();
    const users = await userCount();
    const browser = host.client();
    const callback = await atProvider(await start(browser), login);
    // Another first character: it carries six whole bits (a last one may carry only padding,
    // and a fixed suffix is the state itself once in 4 096 runs — a CI flake).
    const state = callback.searchParams.get("state")!;
    callback.searchParams.set("state", `${state.startsWith("A") ? "B" : "A"}${state.slice(1)}`);
    const target = await land(browser, callback);
    expect(target.searchParams.get("oidc_error")).toBe("state_mismatch");
    expect(signedIn(browser)).toEqual([]);
    expect(await userCount()).toBe(users);
  });

  it("a callback in a browser that never started the flow (login CSRF)", async () => {
    const login = account();
    const attacker = host.client();
    const callback = await atProvider(await start(attacker), login);
    const victim = host.client();
    const target = await land(victim, callback);
    expect(target.searchParams.get("oidc_error")).toBe("expired");
    expect(signedIn(victim)).toEqual([]);
  });

  it("a replayed callback (the same code and cookie again)", async () => {
    const login = account();
    const browser = host.client();
    const url = await start(browser);
    const cookie = browser.cookies.get("auth_oidc")!;
    const callback = await atProvider(url, login);
    expect((await land(browser, callback)).pathname).toBe("/");
    const replay = host.client();
    replay.cookies.set("auth_oidc", cookie);
    const target = await land(replay, callback);
    expect(target.searchParams.get("oidc_error")).toBe("expired");
    expect(signedIn(replay)).toEqual([]);
  });

  it("an expired flow", async () => {
    const login = account();
    const browser = host.client();
    const callback = await atProvider(await start(browser), login);
    host.clock.advance(601_000);
    try {
      const target = await land(browser, callback);
      expect(target.searchParams.get("oidc_error")).toBe("expired");
    } finally {
      host.clock.advance(-601_000);
    }
  });

  it("a code injected into another flow: PKCE refuses it at the token endpoint", async () => {
    const login = account();
    const users = await userCount();
    const victim = host.client();
    const victimUrl = await start(victim);
    const attacker = host.client();
    const stolen = await atProvider(await start(attacker), login);
    // The attacker's code with the victim's own state (as if it had leaked): only PKCE is left.
    stolen.searchParams.set("state", victimUrl.searchParams.get("state")!);
    const target = await land(victim, stolen);
    expect(target.searchParams.get("oidc_error")).toBe("invalid_response");
    expect(signedIn(victim)).toEqual([]);
    expect(await userCount()).toBe(users);
  });

  it("an ID token for another audience, from another issuer, expired, with another nonce, unsigned or signed by another key", async () => {
    const other = await generateKeyPair("RS256");
    const cases: [string, Parameters<typeof tamperingFetch>[1]][] = [
      ["aud", (claims) => void (claims["aud"] = "someone-else")],
      ["iss", (claims) => void (claims["iss"] = "https://evil.example")],
      [
        "exp",
        (claims) => {
          claims["iat"] = Math.floor(Date.now() / 1000) - 7200;
          claims["exp"] = Math.floor(Date.now() / 1000) - 3600;
        },
      ],
      ["nonce", (claims) => void (claims["nonce"] = "another-nonce")],
      ["no nonce", (claims) => void delete claims["nonce"]],
      [
        "unsigned change",
        (claims) => {
          claims["sub"] = "someone-else";
          return { unsigned: true };
        },
      ],
      ["other key", () => ({ key: other.privateKey })],
      [
        "alg none",
        (_claims, header) => {
          header["alg"] = "none";
          return { unsigned: true };
        },
      ],
    ];
    for (const [what, change] of cases) {
      tamper = change;
      const users = await userCount();
      const browser = host.client();
      const target = await flow(browser, account(), "tamper");
      expect(target.searchParams.get("oidc_error"), what).toBe("invalid_response");
      expect(signedIn(browser), what).toEqual([]);
      expect(await userCount(), what).toBe(users);
    }
    // The same provider with an untouched token works: only the tampering was refused.
    tamper = () => {};
    expect((await flow(host.client(), account(), "tamper")).pathname).toBe("/");
  });

  it("an ID token signed with an algorithm the client did not pin (ES256 for RS256)", async () => {
    const browser = host.client();
    const target = await flow(browser, account(), "es");
    expect(target.searchParams.get("oidc_error")).toBe("invalid_response");
    expect(signedIn(browser)).toEqual([]);
  });

  it("an email the provider did not verify, or none: no account, no link", async () => {
    const owner = await host.signUp();
    const cases = [
      account({ email_verified: false }),
      account({ email: owner.email, email_verified: false }),
      account({ email: undefined, email_verified: undefined }),
    ];
    provider.accounts.get(cases[2]!)!.email = undefined;
    for (const login of cases) {
      const users = await userCount();
      const browser = host.client();
      const target = await flow(browser, login);
      expect(target.searchParams.get("oidc_error")).toBe("email_unverified");
      expect(signedIn(browser)).toEqual([]);
      expect(browser.cookies.has("auth_oidc_link")).toBe(false);
      expect(await userCount()).toBe(users);
    }
    const linked = await host.database.db
      .select()
      .from(tables.identities)
      .where(eq(tables.identities.userId, owner.user.id));
    expect(linked).toEqual([]);
  });

  it("never answers 500 to a malformed callback", async () => {
    const browser = host.client();
    for (const query of ["", "?code=x", "?state=x&code=y", "?error=access_denied", "?state=%00"]) {
      const response = await browser.get(`${AUTH}/oidc/test/callback${query}`);
      expect(response.status, query).toBe(303);
    }
    browser.cookies.set("auth_oidc", "v1.garbage.x.y.z");
    expect((await browser.get(`${AUTH}/oidc/test/callback?code=a&state=b`)).status).toBe(303);
    expect((await host.client().get(`${AUTH}/oidc/nope/callback?code=a&state=b`)).status).toBe(303);
    expect((await host.client().post(`${AUTH}/oidc/nope/start`, {})).status).toBe(404);
  });
});

describe("oidc: an existing account's email is never taken over", () => {
  it("holds the link until the owner signs in and confirms it", async () => {
    const owner = await host.signUp();
    const login = account({ email: owner.email });
    const browser = host.client();
    const target = await flow(browser, login);
    expect(target.pathname).toBe("/sign-in");
    expect(target.searchParams.get("oidc_link")).toBe("test");
    expect(signedIn(browser)).toEqual([]);
    expect(
      await host.database.db
        .select()
        .from(tables.identities)
        .where(eq(tables.identities.userId, owner.user.id)),
    ).toEqual([]);
    expect(await json(await browser.get(`${AUTH}/oidc/link`), 200)).toEqual({
      link: { provider: "test", providerName: "Test ID", email: owner.email },
    });

    // Not signed in: nothing to confirm with.
    await json(await browser.post(`${AUTH}/oidc/link/confirm`), 401);
    // Signed in to another account: refused.
    const other = await host.signUp();
    const otherTab = browser.fork();
    await json(
      await otherTab.post(`${AUTH}/login`, { email: other.email, password: STRONG_PASSWORD }),
      200,
    );
    expect(
      await json<{ type: string }>(await otherTab.post(`${AUTH}/oidc/link/confirm`), 409),
    ).toMatchObject({
      type: "/problems/oidc-link-account-mismatch",
    });

    // The owner signs in, then confirms.
    await json(
      await browser.post(`${AUTH}/login`, { email: owner.email, password: STRONG_PASSWORD }),
      200,
    );
    const confirmed = await json<{ identity: { provider: string } }>(
      await browser.post(`${AUTH}/oidc/link/confirm`),
      201,
    );
    expect(confirmed.identity).toMatchObject({ provider: "test", email: owner.email });
    expect(await eventTypes(owner.user.id)).toContain("identity_linked");
    // Single use.
    await json(await browser.post(`${AUTH}/oidc/link/confirm`), 404);
    expect(await json(await browser.get(`${AUTH}/oidc/link`), 200)).toEqual({ link: null });

    // From now on the provider signs the owner in.
    const later = host.client();
    expect((await flow(later, login)).pathname).toBe("/");
    expect((await me(later)).id).toBe(owner.user.id);
  });

  it("lets the pending link expire, and be cancelled", async () => {
    const owner = await host.signUp();
    const browser = host.client();
    await flow(browser, account({ email: owner.email }));
    host.clock.advance(11 * 60_000);
    try {
      await json(
        await browser.post(`${AUTH}/login`, { email: owner.email, password: STRONG_PASSWORD }),
        200,
      );
      await json(await browser.post(`${AUTH}/oidc/link/confirm`), 404);
    } finally {
      host.clock.advance(-11 * 60_000);
    }
    const again = host.client();
    await flow(again, account({ email: owner.email }));
    await json(await again.delete(`${AUTH}/oidc/link`), 204);
    expect(await json(await again.get(`${AUTH}/oidc/link`), 200)).toEqual({ link: null });
  });
});

describe("oidc: connected accounts on the account page", () => {
  it("links a provider to a signed-in account, refuses one that is someone else's", async () => {
    const { client, user } = await host.signUp();
    const target = await (async () => {
      const { url } = await json<{ url: string }>(
        await client.post(`${AUTH}/oidc/other/link`, {}),
        200,
      );
      return land(client, await atProvider(new URL(url), account()));
    })();
    expect(target.pathname).toBe("/account");
    expect(target.searchParams.get("oidc")).toBe("linked");
    const listed = await json<{ identities: { provider: string }[]; passwordSet: boolean }>(
      await client.get(`${AUTH}/identities`),
      200,
    );
    expect(listed).toMatchObject({ identities: [{ provider: "other" }], passwordSet: true });
    expect(await eventTypes(user.id)).toContain("identity_linked");

    // Someone else's provider account.
    const taken = account();
    await flow(host.client(), taken, "test");
    const { client: second } = await host.signUp();
    const { url } = await json<{ url: string }>(
      await second.post(`${AUTH}/oidc/test/link`, {}),
      200,
    );
    const refused = await land(second, await atProvider(new URL(url), taken));
    expect(refused.pathname).toBe("/account");
    expect(refused.searchParams.get("oidc_error")).toBe("identity_in_use");
  });

  it("needs a recent sign-in to link or unlink", async () => {
    const { client } = await host.signUp();
    host.clock.advance(11 * 60_000);
    try {
      const problem = await json<{ type: string; methods: string[] }>(
        await client.post(`${AUTH}/oidc/test/link`, {}),
        401,
      );
      expect(problem.type).toBe("/problems/reauthentication-required");
    } finally {
      host.clock.advance(-11 * 60_000);
    }
  });

  it("refuses to unlink the last way to sign in; a password set through the reset mail lifts it", async () => {
    const login = account();
    const email = provider.accounts.get(login)!.email!;
    const browser = host.client();
    await flow(browser, login);
    const { identities } = await json<{ identities: { id: string }[] }>(
      await browser.get(`${AUTH}/identities`),
      200,
    );
    const problem = await json<{ type: string }>(
      await browser.delete(`${AUTH}/identities/${identities[0]!.id}`),
      409,
    );
    expect(problem.type).toBe("/problems/last-sign-in-method");
    // No password: password sign-in fails like any wrong password (no 500).
    await json(
      await host.client().post(`${AUTH}/login`, { email, password: STRONG_PASSWORD }),
      401,
    );

    // The forgot-password mail sets a first password.
    await json(await host.client().post(`${AUTH}/password/forgot`, { email }), 202);
    const token = await host.tokenFrom(email, "/reset-password");
    await json(
      await host.client().post(`${AUTH}/password/reset`, { token, newPassword: STRONG_PASSWORD }),
      204,
    );
    const again = host.client();
    await json(await again.post(`${AUTH}/login`, { email, password: STRONG_PASSWORD }), 200);
    expect(await json(await again.get(`${AUTH}/identities`), 200)).toMatchObject({
      passwordSet: true,
    });
    await json(await again.delete(`${AUTH}/identities/${identities[0]!.id}`), 204);
    const userId = (await me(again)).id;
    expect(await eventTypes(userId)).toContain("identity_unlinked");
  });

  it("steps up a password-less user through the provider (a fresh login there)", async () => {
    const login = account();
    const browser = host.client();
    await flow(browser, login);
    host.clock.advance(11 * 60_000);
    try {
      const { identities } = await json<{ identities: { id: string }[] }>(
        await browser.get(`${AUTH}/identities`),
        200,
      );
      const problem = await json<{ methods: string[] }>(
        await browser.delete(`${AUTH}/identities/${identities[0]!.id}`),
        401,
      );
      expect(problem.methods).toContain("oidc");
      const { url } = await json<{ url: string }>(
        await browser.post(`${AUTH}/oidc/test/reauthenticate`, { returnTo: "/account" }),
        200,
      );
      expect(new URL(url).searchParams.get("prompt")).toBe("login");
      expect(new URL(url).searchParams.get("max_age")).toBe("0");
      // Another provider account cannot stand in for this user's.
      const wrong = await land(browser, await atProvider(new URL(url), account()));
      expect(wrong.searchParams.get("oidc_error")).toBe("wrong_account");
      const { url: retry } = await json<{ url: string }>(
        await browser.post(`${AUTH}/oidc/test/reauthenticate`, {}),
        200,
      );
      const back = await land(browser, await atProvider(new URL(retry), login));
      expect(back.pathname).toBe("/account");
      expect(back.searchParams.get("oidc")).toBe("reauthenticated");
      // Recent now: the only way left is still refused, for what it is.
      await json(await browser.delete(`${AUTH}/identities/${identities[0]!.id}`), 409);
    } finally {
      host.clock.advance(-11 * 60_000);
    }
  });

  it("exports the connected accounts, never tokens", async () => {
    const login = account();
    const browser = host.client();
    await flow(browser, login);
    const exported = await json<Record<string, unknown>>(
      await browser.get(`${AUTH}/me/export`),
      200,
    );
    expect(JSON.stringify(exported)).toContain(login);
    expect(exported).toMatchObject({
      oidc: { identities: [{ provider: "test", subject: login }] },
    });
  });

  it("describes its routes in the OpenAPI document", async () => {
    const document = await openApiDocument(host.app, {
      auth: host.auth,
      info: { title: "test", version: "1" },
    });
    expect(Object.keys(document.paths ?? {})).toEqual(
      expect.arrayContaining([
        "/api/auth/oidc/providers",
        "/api/auth/oidc/{provider}/start",
        "/api/auth/oidc/{provider}/callback",
        "/api/auth/identities/{id}",
        "/api/auth/oidc/link/confirm",
      ]),
    );
  });
});

describe("oidc: the last way to sign in, with passkeys", () => {
  /** A user signed up through the provider (no password), with `passkeys` passkeys. */
  async function passwordless(passkeyCount: number) {
    const browser = host.client();
    const login = account();
    await flow(browser, login);
    // A fresh login at the provider: the removals below need a recent authentication.
    const { url } = await json<{ url: string }>(
      await browser.post(`${AUTH}/oidc/test/reauthenticate`, {}),
      200,
    );
    await land(browser, await atProvider(new URL(url), login));
    const passkeyIds: string[] = [];
    for (let i = 0; i < passkeyCount; i++) {
      const options = await json<PublicKeyCredentialCreationOptionsJSON>(
        await browser.post(`${AUTH}/passkeys/register/options`),
        200,
      );
      const response = new SoftwareAuthenticator({ origin: PASSKEY_ORIGIN }).register(options);
      const { passkey } = await json<{ passkey: { id: string } }>(
        await browser.post(`${AUTH}/passkeys/register`, { name: `Key ${i}`, response }),
        201,
      );
      passkeyIds.push(passkey.id);
    }
    const { identities } = await json<{ identities: { id: string }[] }>(
      await browser.get(`${AUTH}/identities`),
      200,
    );
    return { browser, identityId: identities[0]!.id, passkeyIds, userId: (await me(browser)).id };
  }

  it("unlinks the identity while a passkey is left, then refuses to remove that passkey", async () => {
    const { browser, identityId, passkeyIds } = await passwordless(1);
    await json(await browser.delete(`${AUTH}/identities/${identityId}`), 204);
    const problem = await json<{ type: string }>(
      await browser.delete(`${AUTH}/passkeys/${passkeyIds[0]}`),
      409,
    );
    expect(problem.type).toBe("/problems/last-sign-in-method");
  });

  it("removes the passkey while the identity is left, then refuses to unlink it", async () => {
    const { browser, identityId, passkeyIds } = await passwordless(1);
    await json(await browser.delete(`${AUTH}/passkeys/${passkeyIds[0]}`), 204);
    const problem = await json<{ type: string }>(
      await browser.delete(`${AUTH}/identities/${identityId}`),
      409,
    );
    expect(problem.type).toBe("/problems/last-sign-in-method");
  });

  it("lets exactly one of an unlink and a passkey removal in parallel through", async () => {
    for (let round = 0; round < 3; round++) {
      const { browser, identityId, passkeyIds } = await passwordless(1);
      const statuses = await Promise.all([
        browser.delete(`${AUTH}/identities/${identityId}`),
        browser.delete(`${AUTH}/passkeys/${passkeyIds[0]}`),
      ]);
      expect(statuses.map((response) => response.status).sort()).toEqual([204, 409]);
    }
  });

  it("does not count an identity of a provider no longer configured", async () => {
    const { browser, identityId, passkeyIds, userId } = await passwordless(1);
    const [gone] = await host.database.db
      .insert(tables.identities)
      .values({
        userId,
        provider: "removed",
        issuer: "https://removed.example",
        subject: `gone-${userId}`,
        createdAt: new Date(host.clock.now()),
      })
      .returning();
    await json(await browser.delete(`${AUTH}/identities/${identityId}`), 204);
    // The passkey is the last way that works: the removed provider's identity is no way.
    await json(await browser.delete(`${AUTH}/passkeys/${passkeyIds[0]}`), 409);

    const other = await passwordless(0);
    await host.database.db
      .update(tables.identities)
      .set({ userId: other.userId })
      .where(eq(tables.identities.id, gone!.id));
    await json(await other.browser.delete(`${AUTH}/identities/${other.identityId}`), 409);
    // The stale identity itself can go while a working one is left.
    await json(await other.browser.delete(`${AUTH}/identities/${gone!.id}`), 204);
  });
});

describe("oidc: a provider's remembered login, odd addresses, return paths (security review)", () => {
  it("asks the provider when its user logged in (max_age), and a login it only remembered is no recent authentication", async () => {
    const url = await start(host.client());
    expect(url.searchParams.get("max_age")).toBe(String(30 * 24 * 60 * 60));
    expect(url.searchParams.get("prompt")).toBeNull();

    const cases: [string, Parameters<typeof tamperingFetch>[1]][] = [
      [
        "logged in 2 h ago",
        (claims) => void (claims["auth_time"] = Math.floor(Date.now() / 1000) - 7200),
      ],
      ["does not say", (claims) => void delete claims["auth_time"]],
    ];
    for (const [what, change] of cases) {
      tamper = change;
      const browser = host.client();
      expect((await flow(browser, account(), "tamper")).pathname, what).toBe("/");
      // Signed in, but linking another provider asks to confirm it's them first.
      const problem = await json<{ type: string; methods: string[] }>(
        await browser.post(`${AUTH}/oidc/other/link`, {}),
        401,
      );
      expect(problem.type, what).toBe("/problems/reauthentication-required");
      expect(problem.methods, what).toEqual(["oidc"]);
    }
    // A login the provider says just happened is a recent one.
    tamper = () => {};
    const fresh = host.client();
    await flow(fresh, account(), "tamper");
    await json(await fresh.post(`${AUTH}/oidc/other/link`, {}), 200);
  });

  it("refuses a provider's verified address that a sign-up would refuse: no account, no link", async () => {
    const ownerEmail = `kelvin-${Math.random().toString(36).slice(2)}@example.com`;
    await json(
      await host
        .client()
        .post(`${AUTH}/register`, { email: ownerEmail, password: STRONG_PASSWORD }),
      201,
    );
    const users = await userCount();
    for (const email of [
      // U+212A KELVIN SIGN lower-cases to an ASCII "k": it must not become the owner's address.
      `\u212A${ownerEmail.slice(1)}`,
      `${"a".repeat(250)}@example.com`,
      "not-an-email",
      "a b@example.com",
    ]) {
      const browser = host.client();
      const target = await flow(browser, account({ email }));
      expect(target.searchParams.get("oidc_error"), email).toBe("email_invalid");
      expect(signedIn(browser), email).toEqual([]);
    }
    expect(await userCount()).toBe(users);
  });

  it("keeps a return path of the app: dot segments that resolve to another origin are refused", async () => {
    const { client } = await host.signUp();
    for (const returnTo of [
      "/.//evil.example",
      "/..//evil.example",
      "/%2e//evil.example",
      "/a/..//evil.example",
      "//evil.example",
      "/\\evil.example",
    ]) {
      await json(await client.post(`${AUTH}/oidc/test/reauthenticate`, { returnTo }), 422);
    }
    await json(
      await client.post(`${AUTH}/oidc/test/reauthenticate`, { returnTo: "/account?tab=1" }),
      200,
    );
  });
});

describe("oidc: GitHub (OAuth 2 and its REST API)", () => {
  it("knows the user by GitHub's numeric id and its primary verified email, refuses an unverified one", async () => {
    // GitHub's API, as the preset reads it: `GET /user` and `GET /user/emails`, with the token.
    let emails: { email: string; primary: boolean; verified: boolean }[] = [];
    const seen: string[] = [];
    const api = createServer((req, res) => {
      seen.push(`${req.url} ${req.headers.authorization?.split(" ")[0]}`);
      res.setHeader("content-type", "application/json");
      if (req.url === "/user") res.end(JSON.stringify({ id: 4242, login: "octo", name: null }));
      else if (req.url === "/user/emails") res.end(JSON.stringify(emails));
      else res.writeHead(404).end("{}");
    });
    await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const gh = await createLifecycleHost({}, {}, [
      oidc({
        providers: [
          {
            ...githubProvider({
              clientId: CLIENT_ID,
              clientSecret: CLIENT_SECRET,
              redirectUri: callbackOf("github"),
              // The test provider plays GitHub's OAuth endpoints (it wants the openid scope).
              scopes: ["openid"],
              endpoints: {
                authorization: `${provider.issuer}/auth`,
                token: `${provider.issuer}/token`,
                api: apiUrl,
              },
            }),
            // It also says who answered (RFC 9207 `iss`), which the client checks: its issuer.
            issuer: provider.issuer,
          },
        ],
      }),
    ]);
    try {
      const run = async (login: string) => {
        const browser = gh.client();
        provider.next = { login };
        const started = await browser.post(`${AUTH}/oidc/github/start`, {});
        const { url } = (await started.json()) as { url: string };
        const params = new URL(url).searchParams;
        expect(params.get("code_challenge_method")).toBe("S256");
        expect(params.get("nonce")).toBeNull();
        const callback = await visitProvider(url, `${APP}${AUTH}/oidc/`);
        const landed = await browser.get(`${callback.pathname}${callback.search}`);
        return { browser, location: new URL(landed.headers.get("location")!, APP) };
      };
      emails = [
        { email: "octo@old.example", primary: false, verified: true },
        { email: "octo@example.com", primary: true, verified: false },
      ];
      const refused = await run(account());
      expect(refused.location.searchParams.get("oidc_error")).toBe("email_unverified");
      emails[1]!.verified = true;
      const first = await run(account());
      expect(first.location.pathname).toBe("/");
      expect(await me(first.browser)).toMatchObject({
        email: "octo@example.com",
        emailVerified: true,
      });
      const [row] = await gh.database.db.select().from(tables.identities);
      expect(row).toMatchObject({
        provider: "github",
        issuer: provider.issuer,
        subject: "4242",
      });
      expect(seen).toContain("/user Bearer");
      expect(seen).toContain("/user/emails Bearer");
      // GitHub never says when its user logged in, and cannot be asked for a fresh login: its
      // sign-in is no recent authentication, and it cannot confirm a step-up.
      const again = await json<{ type: string }>(
        await first.browser.post(`${AUTH}/oidc/github/reauthenticate`, {}),
        409,
      );
      expect(again).toMatchObject({ title: "Step-up not available" });
    } finally {
      await gh.dispose();
      await new Promise((resolve) => api.close(resolve));
    }
  });
});

describe("oidc: provider tokens, only when the host asks", () => {
  it("keeps them sealed (AES-256-GCM, bound to the user), never in the clear", async () => {
    const key = Buffer.alloc(32, 7);
    key[0] = 1;
    const kept = await createLifecycleHost({}, {}, [
      oidc({
        providers: [
          oidcProvider({
            id: "kept",
            name: "Kept",
            issuer: provider.issuer,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            redirectUri: callbackOf("kept"),
          }),
        ],
        keepTokens: true,
        encryptionKeys: [key.toString("base64")],
      }),
    ]);
    try {
      const login = account();
      const browser = kept.client();
      provider.next = { login };
      const started = await browser.post(`${AUTH}/oidc/kept/start`, {});
      const { url } = (await started.json()) as { url: string };
      const callback = await visitProvider(url, `${APP}${AUTH}/oidc/`);
      const landed = await browser.get(`${callback.pathname}${callback.search}`);
      expect(landed.headers.get("location")).toBe("/");
      const [row] = await kept.database.db.select().from(tables.identities);
      expect(row!.accessToken).toMatch(/^v1\./);
      expect(row!.tokenExpiresAt).toBeInstanceOf(Date);
      const opened = new SecretBox([key]).open(row!.accessToken!, row!.userId);
      expect(opened?.plaintext.length).toBeGreaterThan(10);
      // Bound to its user: copied to another user's row it does not open.
      expect(new SecretBox([key]).open(row!.accessToken!, "someone-else")).toBeUndefined();
    } finally {
      await kept.dispose();
    }
  });

  it("refuses keepTokens without keys, and keys without keepTokens", () => {
    expect(() => oidc({ providers: [], keepTokens: true })).toThrow(/encryptionKeys/);
    expect(() => oidc({ providers: [], encryptionKeys: ["x"] })).toThrow(
      /only used with keepTokens/,
    );
  });
});

it("reports unexpected failures to onError only", () => {
  for (const error of errors) expect(error).toBeInstanceOf(Error);
});
