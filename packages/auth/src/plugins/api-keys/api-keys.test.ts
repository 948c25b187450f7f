import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import type { Hono } from "hono";
import { revokeAllSessions } from "../../account.js";
import type { AuthEnv } from "../../authenticator.js";
import { createCoreTables } from "../../schema/core-tables.js";
import { tableNamer } from "../../schema/table-names.js";
import { securityEvents } from "../security-events/index.js";
import { securityEventTypes } from "../../tests/security-event-types.js";
import {
  createHostApp,
  createTestHost,
  STRONG_PASSWORD,
  type TestHost,
} from "../../tests/test-host.js";
import { signUp, type SignedUp } from "../../testing/sign-up.js";
import { TestClient } from "../../testing/test-client.js";
import { generateSecret, isWellFormedSecret } from "./format.js";
import { apiKeys } from "./index.js";
import { apiKeysTable } from "./tables.js";

const AUTH = "/api/auth";
const SCOPES = { "todos:read": "Read your to-dos", "todos:write": "Change your to-dos" };
const table = apiKeysTable(tableNamer(""), createCoreTables());

let host: TestHost;
let app: Hono<AuthEnv>;

beforeAll(async () => {
  host = await createTestHost({
    plugins: [securityEvents(), apiKeys({ scopes: SCOPES, maxKeysPerUser: 3 })],
  });
  // The host's own resources: one behind each scope, one behind requireAuth alone.
  app = createHostApp(host.auth);
  app.get("/api/todos", host.auth.middleware, host.auth.requireScope("todos:read"), (c) =>
    c.json({ owner: c.get("auth").userId }),
  );
  app.post("/api/todos", host.auth.middleware, host.auth.requireScope("todos:write"), (c) =>
    c.json({ owner: c.get("auth").userId }, 201),
  );
});
afterAll(() => host?.dispose());

const fetchApp = (request: Request) => app.fetch(request);
const newUser = () => signUp(fetchApp);
/** A client that sends only `Authorization: Bearer <secret>` (no cookies, ever). */
const bearer = (secret: string) => new TestClient(fetchApp, { Authorization: `Bearer ${secret}` });

type Created = { apiKey: { id: string; prefix: string; scopes: string[] }; secret: string };

async function json<T>(response: Response, status: number): Promise<T> {
  const body = await response.text();
  expect(response.status, body).toBe(status);
  return (body ? JSON.parse(body) : undefined) as T;
}

async function createKey(
  user: SignedUp,
  body: { name?: string; scopes?: string[]; expiresAt?: string | null } = {},
): Promise<Created> {
  const response = await user.client.post(`${AUTH}/api-keys`, {
    name: body.name ?? "script",
    scopes: body.scopes ?? ["todos:read"],
    ...(body.expiresAt === undefined ? {} : { expiresAt: body.expiresAt }),
  });
  return json<Created>(response, 201);
}

async function expectInvalidToken(response: Response) {
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
  expect(response.headers.get("Content-Type")).toContain("application/problem+json");
}

describe("the secret's format", () => {
  it("is prefix + 30 base62 + a 6-character CRC32 checksum that catches any one change", () => {
    const secret = generateSecret("hak_");
    expect(secret).toMatch(/^hak_[0-9A-Za-z]{36}$/);
    expect(isWellFormedSecret("hak_", secret)).toBe(true);
    expect(isWellFormedSecret("xyz_", secret)).toBe(false);
    for (let i = 4; i < secret.length; i += 1) {
      const swapped = secret[i] === "a" ? "b" : "a";
      const typo = secret.slice(0, i) + swapped + secret.slice(i + 1);
      expect(isWellFormedSecret("hak_", typo), typo).toBe(false);
    }
    expect(isWellFormedSecret("hak_", `${secret}x`)).toBe(false);
  });
});

describe("attacks", () => {
  it("a key with a bad checksum is refused as invalid_token without a database query", async () => {
    const user = await newUser();
    const { secret } = await createKey(user);
    const forged = secret.slice(0, -1) + (secret.endsWith("A") ? "B" : "A");
    host.queries.reset();
    await expectInvalidToken(await bearer(forged).get("/api/todos"));
    await expectInvalidToken(await bearer("hak_short").get("/api/todos"));
    expect(host.queries.statements).toEqual([]);
  });

  it("an unknown well-formed key, a foreign token or a broken header is a 401, never anonymous", async () => {
    await expectInvalidToken(
      await bearer(generateSecret("hak_")).get(`${AUTH}/session?optional=true`),
    );
    await expectInvalidToken(await bearer("not a token!").get("/api/todos"));
    await expectInvalidToken(await bearer("eyJhbGciOiJub25lIn0.e30.").get("/api/todos"));
  });

  it("the table holds no secret: only its SHA-256", async () => {
    const user = await newUser();
    const { secret, apiKey } = await createKey(user);
    const rows = await host.database.db.execute(sql`select * from ${table}`);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain(secret.slice(apiKey.prefix.length, apiKey.prefix.length + 20));
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix).toHaveLength("hak_".length + 4);
  });

  it("a key reaches no auth, account or requireAuth route: 403 insufficient_scope", async () => {
    const user = await newUser();
    const { secret } = await createKey(user, { scopes: ["todos:read", "todos:write"] });
    const key = bearer(secret);
    const routes: [string, string][] = [
      ["GET", `${AUTH}/session`],
      ["GET", `${AUTH}/me`],
      ["GET", `${AUTH}/sessions`],
      ["GET", `${AUTH}/api-keys`],
      ["POST", `${AUTH}/api-keys`],
      ["POST", `${AUTH}/logout-all`],
      ["POST", `${AUTH}/login`],
      ["POST", `${AUTH}/reauthenticate`],
      ["GET", "/api/notes"],
    ];
    for (const [method, path] of routes) {
      const response = await key.request(method, path, method === "GET" ? {} : { json: {} });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.headers.get("WWW-Authenticate")).toContain('error="insufficient_scope"');
      const problem = (await response.json()) as { type: string };
      expect(problem.type).toBe("/problems/insufficient-scope");
    }
    // The user is still signed in everywhere: the key changed nothing.
    expect((await user.client.get(`${AUTH}/session`)).status).toBe(200);
  });

  it("a key works only with its scopes", async () => {
    const user = await newUser();
    const reader = bearer((await createKey(user, { scopes: ["todos:read"] })).secret);
    expect(await json(await reader.get("/api/todos"), 200)).toEqual({ owner: user.user.id });
    const refused = await reader.post("/api/todos", {});
    expect(refused.status).toBe(403);
    expect(refused.headers.get("WWW-Authenticate")).toBe(
      'Bearer error="insufficient_scope", scope="todos:write"',
    );
    const writer = bearer((await createKey(user, { scopes: ["todos:write"] })).secret);
    expect((await writer.post("/api/todos", {})).status).toBe(201);
    expect((await writer.get("/api/todos")).status).toBe(403);
  });

  it("cookies and a bearer token together: 400 mixed-credentials", async () => {
    const user = await newUser();
    const { secret } = await createKey(user);
    const response = await user.client.get("/api/todos", { Authorization: `Bearer ${secret}` });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { type: string }).type).toBe("/problems/mixed-credentials");
  });

  it("a bearer request needs no same-origin header (not an ambient credential)", async () => {
    const user = await newUser();
    const { secret } = await createKey(user, { scopes: ["todos:write"] });
    const response = await bearer(secret).request("POST", "/api/todos", {
      json: {},
      headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" },
    });
    expect(response.status).toBe(201);
  });
});

describe("lifecycle", () => {
  it("create, list (no secret), use, revoke: refused on the very next request", async () => {
    const user = await newUser();
    const created = await createKey(user, { name: "backup script", scopes: ["todos:read"] });
    expect(created.apiKey.id).toMatch(/^key_/);
    const list = await json<{ apiKeys: unknown[]; scopes: unknown[]; limit: number }>(
      await user.client.get(`${AUTH}/api-keys`),
      200,
    );
    expect(list.limit).toBe(3);
    expect(list.scopes).toEqual([
      { name: "todos:read", description: "Read your to-dos" },
      { name: "todos:write", description: "Change your to-dos" },
      { name: "introspect", description: expect.any(String) },
    ]);
    expect(list.apiKeys).toEqual([
      {
        id: created.apiKey.id,
        name: "backup script",
        prefix: created.apiKey.prefix,
        scopes: ["todos:read"],
        createdAt: new Date(host.clock.now()).toISOString(),
        lastUsedAt: null,
        expiresAt: null,
      },
    ]);
    expect(JSON.stringify(list)).not.toContain(created.secret);

    const key = bearer(created.secret);
    expect((await key.get("/api/todos")).status).toBe(200);
    host.queries.reset();
    expect((await key.get("/api/todos")).status).toBe(200);
    // A verified key is remembered: no query on later requests.
    expect(host.queries.statements).toEqual([]);

    expect((await user.client.delete(`${AUTH}/api-keys/${created.apiKey.id}`)).status).toBe(204);
    await expectInvalidToken(await key.get("/api/todos"));
    expect((await user.client.delete(`${AUTH}/api-keys/${created.apiKey.id}`)).status).toBe(404);
    expect(await securityEventTypes(host.database.db, user.user.id)).toEqual(
      expect.arrayContaining(["api_key_created", "api_key_revoked"]),
    );
  });

  it("another user's key, or no key id at all, is a 404", async () => {
    const owner = await newUser();
    const other = await newUser();
    const { apiKey, secret } = await createKey(owner);
    expect((await other.client.delete(`${AUTH}/api-keys/${apiKey.id}`)).status).toBe(404);
    expect((await other.client.delete(`${AUTH}/api-keys/not-a-key`)).status).toBe(404);
    expect((await bearer(secret).get("/api/todos")).status).toBe(200);
  });

  it("an id spelled in upper case is no key's id: 404, and the key is neither deleted nor half-revoked", async () => {
    // PostgreSQL would find the row by it, but the revocation event and the cache compare ids
    // as strings: a revocation in another spelling would delete the key and leave it working.
    const owner = await newUser();
    const { apiKey, secret } = await createKey(owner);
    const upper = `key_${apiKey.id.slice(4).toUpperCase()}`;
    expect((await owner.client.delete(`${AUTH}/api-keys/${upper}`)).status).toBe(404);
    expect((await bearer(secret).get("/api/todos")).status).toBe(200);
    expect((await owner.client.delete(`${AUTH}/api-keys/${apiKey.id}`)).status).toBe(204);
    await expectInvalidToken(await bearer(secret).get("/api/todos"));
  });

  it("validates the body: name, known scopes, an expiry in the future", async () => {
    const user = await newUser();
    const bad = [
      { name: "", scopes: ["todos:read"] },
      { name: "x", scopes: [] },
      { name: "x", scopes: ["admin"] },
      { name: "x", scopes: ["todos:read", "todos:read"] },
      { name: "x", scopes: ["todos:read"], expiresAt: "tomorrow" },
      {
        name: "x",
        scopes: ["todos:read"],
        expiresAt: new Date(host.clock.now() - 1000).toISOString(),
      },
      { name: "x".repeat(101), scopes: ["todos:read"] },
      // Past the year 9999 once the offset applies: PostgreSQL cannot print it (was a 500).
      { name: "x", scopes: ["todos:read"], expiresAt: "9999-12-31T23:00:00-14:00" },
    ];
    for (const body of bad) {
      expect((await user.client.post(`${AUTH}/api-keys`, body)).status, JSON.stringify(body)).toBe(
        422,
      );
    }
  });

  it("expires with the (injected) clock, even when remembered", async () => {
    const user = await newUser();
    const expiresAt = new Date(host.clock.now() + 60_000).toISOString();
    const created = await createKey(user, { expiresAt });
    expect(created.apiKey).toMatchObject({ expiresAt });
    const key = bearer(created.secret);
    expect((await key.get("/api/todos")).status).toBe(200);
    host.clock.advanceSeconds(59);
    expect((await key.get("/api/todos")).status).toBe(200);
    host.clock.advanceSeconds(2);
    await expectInvalidToken(await key.get("/api/todos"));
  });

  it("caps the keys of an account: 409 past maxKeysPerUser", async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i += 1) await createKey(user, { name: `k${i}` });
    const response = await user.client.post(`${AUTH}/api-keys`, {
      name: "one too many",
      scopes: ["todos:read"],
    });
    expect(response.status).toBe(409);
    expect(((await response.json()) as { type: string }).type).toBe("/problems/api-key-limit");
  });

  it("creating a key needs a recent authentication (step-up)", async () => {
    const user = await newUser();
    host.clock.advanceSeconds(601);
    const response = await user.client.post(`${AUTH}/api-keys`, {
      name: "late",
      scopes: ["todos:read"],
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { type: string }).type).toBe(
      "/problems/reauthentication-required",
    );
    const reauth = await user.client.post(`${AUTH}/reauthenticate`, { password: STRONG_PASSWORD });
    expect(reauth.status).toBe(200);
    await createKey(user, { name: "late" });
  });

  it("a disabled or deleted user's keys stop at once, though remembered", async () => {
    const disabled = await newUser();
    const deleted = await newUser();
    const keys = [
      bearer((await createKey(disabled)).secret),
      bearer((await createKey(deleted)).secret),
    ];
    for (const key of keys) expect((await key.get("/api/todos")).status).toBe(200);
    await host.auth.admin.disableUser(disabled.user.id);
    await host.auth.admin.deleteUser(deleted.user.id);
    for (const key of keys) await expectInvalidToken(await key.get("/api/todos"));
    await host.auth.admin.enableUser(disabled.user.id);
    // Enabled again: the key works again (disabling suspends, revoking ends).
    expect((await keys[0]!.get("/api/todos")).status).toBe(200);
  });

  it("signing out everywhere leaves the keys working (decision 034)", async () => {
    const user = await newUser();
    const key = bearer((await createKey(user)).secret);
    expect((await key.get("/api/todos")).status).toBe(200);
    expect((await user.client.post(`${AUTH}/logout-all`)).status).toBe(204);
    expect((await key.get("/api/todos")).status).toBe(200);
  });

  it("a password reset (account recovery) revokes every key of the account", async () => {
    const user = await newUser();
    const other = await newUser();
    const keys = [bearer((await createKey(user)).secret), bearer((await createKey(user)).secret)];
    const bystander = bearer((await createKey(other)).secret);
    for (const key of [...keys, bystander]) expect((await key.get("/api/todos")).status).toBe(200);
    // What the account-lifecycle plugin's reset does: revoke everywhere, reason password_reset.
    await revokeAllSessions(host.auth.internals, user.user.id, {
      reason: "password_reset",
      actorSessionId: null,
      client: null,
    });
    for (const key of keys) await expectInvalidToken(await key.get("/api/todos"));
    expect((await bystander.get("/api/todos")).status).toBe(200);
    const rows = await host.database.db.select().from(table).where(eq(table.userId, user.user.id));
    expect(rows).toEqual([]);
  });

  it("writes the last use in batches, not per request", async () => {
    const user = await newUser();
    const created = await createKey(user);
    await host.auth.workers.runOnce();
    const key = bearer(created.secret);
    host.queries.reset();
    await key.get("/api/todos");
    await key.get("/api/todos");
    // One lookup for the first request; no write for either.
    expect(host.queries.statements.filter((s) => /^update/i.test(s.trim()))).toEqual([]);
    const usedAt = host.clock.now();
    expect(await host.auth.workers.runOnce()).toMatchObject({
      "api-keys-last-used": { written: 1 },
    });
    const rowId = created.apiKey.id.slice("key_".length);
    const [row] = await host.database.db.select().from(table).where(eq(table.id, rowId));
    expect(row?.lastUsedAt?.getTime()).toBe(usedAt);
  });
});

describe("token introspection (RFC 7662)", () => {
  let introspector: TestClient;
  const form = (token: string) => ({
    body: new URLSearchParams({ token }).toString(),
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
  });
  const ask = async (token: string, client = introspector) =>
    json<Record<string, unknown>>(
      await client.request("POST", `${AUTH}/introspect`, form(token)),
      200,
    );

  beforeAll(async () => {
    const service = await newUser();
    introspector = bearer((await createKey(service, { scopes: ["introspect"] })).secret);
  });

  const accessTokenOf = (user: SignedUp) => user.client.cookies.get("auth_access")!;

  it("an access token is active until its session is revoked — at once", async () => {
    const user = await newUser();
    const token = accessTokenOf(user);
    const active = await ask(token);
    expect(active).toMatchObject({
      active: true,
      token_type: "Bearer",
      sub: user.user.id,
      iss: "hybrid-auth",
      aud: "hybrid-auth",
    });
    expect(active.sid).toEqual(expect.any(String));
    expect(active.exp).toBe((active.iat as number) + 600);
    expect(active.auth_time).toEqual(expect.any(Number));
    expect((await user.client.post(`${AUTH}/logout`)).status).toBe(204);
    expect(await ask(token)).toEqual({ active: false });
  });

  it("a session revoked behind this process's back (the row only) is inactive", async () => {
    const user = await newUser();
    const token = accessTokenOf(user);
    const sid = (await ask(token)).sid as string;
    const { sessions } = createCoreTables();
    await host.database.db
      .update(sessions)
      .set({ revokedAt: new Date(host.clock.now()) })
      .where(eq(sessions.id, sid));
    expect(await ask(token)).toEqual({ active: false });
  });

  it("an API key: active with its scope, inactive once revoked", async () => {
    const user = await newUser();
    const created = await createKey(user, { scopes: ["todos:read", "todos:write"] });
    expect(await ask(created.secret)).toEqual({
      active: true,
      token_type: "api_key",
      sub: user.user.id,
      sid: created.apiKey.id,
      scope: "todos:read todos:write",
    });
    await user.client.delete(`${AUTH}/api-keys/${created.apiKey.id}`);
    expect(await ask(created.secret)).toEqual({ active: false });
  });

  it("garbage, a forged or expired token: inactive", async () => {
    const user = await newUser();
    const token = accessTokenOf(user);
    expect(await ask("garbage")).toEqual({ active: false });
    expect(await ask(`${token.slice(0, -2)}xx`)).toEqual({ active: false });
    host.clock.advanceSeconds(601);
    expect(await ask(token)).toEqual({ active: false });
  });

  it("needs an API key with the introspect scope: 401 without, 403 with another scope", async () => {
    const user = await newUser();
    const token = accessTokenOf(user);
    const anonymous = new TestClient(fetchApp);
    expect((await anonymous.request("POST", `${AUTH}/introspect`, form(token))).status).toBe(401);
    // A session is not a resource server.
    expect((await user.client.request("POST", `${AUTH}/introspect`, form(token))).status).toBe(401);
    const other = bearer((await createKey(user, { scopes: ["todos:read"] })).secret);
    const refused = await other.request("POST", `${AUTH}/introspect`, form(token));
    expect(refused.status).toBe(403);
    expect(refused.headers.get("WWW-Authenticate")).toContain('scope="introspect"');
  });

  it("answers 415 to JSON and 400 without a token", async () => {
    const response = await introspector.post(`${AUTH}/introspect`, { token: "x" });
    expect(response.status).toBe(415);
    const missing = await introspector.request("POST", `${AUTH}/introspect`, {
      body: "token_type_hint=access_token",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    expect(missing.status).toBe(400);
  });
});
