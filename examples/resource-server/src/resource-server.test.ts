import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import { createAuth, generateSigningKey, migrateAuth, type Auth } from "@hybrid-auth/auth";
import { ManualClock, signUp } from "@hybrid-auth/auth/testing";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResourceServer } from "./resource-server.js";

const SECRET = "example-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const TTL = 600;

let database: TestDatabase;
let auth: Auth;
let server: ServerType;
let authUrl: string;
let jwksRequests = 0;
const clock = new ManualClock(Date.now());

/** Our auth app on a real port (the resource server fetches the JWKS over HTTP). */
beforeAll(async () => {
  database = await createTestDatabase({
    migrate: async ({ db }) => void (await migrateAuth({ db })),
  });
  auth = await createAuth({
    db: database.db,
    secret: SECRET,
    signingKeys: { algorithm: "EdDSA", current: await generateSigningKey("EdDSA") },
    accessTokenTtlSeconds: TTL,
    secureCookies: false,
    clock,
    retention: { autoStart: false },
  });
  const app = new Hono()
    .use("/.well-known/*", async (_c, next) => {
      jwksRequests += 1;
      await next();
    })
    .route("/", auth.wellKnown)
    .route("/api/auth", auth.routes);
  server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  authUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await auth.close();
  await database.dispose();
});

/** Requests from the test client, sent to the auth app over HTTP. */
const overHttp = (request: Request) =>
  fetch(new Request(request.url.replace("http://localhost", authUrl), request));

function resourceServer(overrides: { algorithm?: "EdDSA" | "ES256"; audience?: string } = {}) {
  return createResourceServer({
    jwksUrl: new URL("/.well-known/jwks.json", authUrl),
    algorithm: overrides.algorithm ?? "EdDSA",
    issuer: "hybrid-auth",
    audience: overrides.audience ?? "hybrid-auth",
    now: () => clock.now(),
  });
}

const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe("a resource server that verifies our access tokens with the JWKS alone", () => {
  it("knows who is calling, from the token, with one JWKS fetch for many requests", async () => {
    const { client, user } = await signUp(overHttp);
    const token = client.cookies.get("auth_access")!;
    const api = resourceServer();
    const before = jwksRequests;
    for (let i = 0; i < 3; i += 1) {
      const response = await api.request("/api/whoami", bearer(token));
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ userId: user.id, role: "user" });
    }
    expect(jwksRequests - before).toBe(1);
  });

  it("refuses what it must: no token, a tampered one, another algorithm or audience pinned", async () => {
    const { client } = await signUp(overHttp);
    const token = client.cookies.get("auth_access")!;
    const api = resourceServer();
    expect((await api.request("/api/whoami")).status).toBe(401);
    const [h, p, s] = token.split(".");
    const tampered = `${h}.${p!.slice(0, -2)}xx.${s}`;
    expect((await api.request("/api/whoami", bearer(tampered))).status).toBe(401);
    const es256Only = resourceServer({ algorithm: "ES256" });
    expect((await es256Only.request("/api/whoami", bearer(token))).status).toBe(401);
    const otherAudience = resourceServer({ audience: "billing" });
    expect((await otherAudience.request("/api/whoami", bearer(token))).status).toBe(401);
    const refused = await api.request("/api/whoami", bearer("not-a-token"));
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer error="invalid_token"');
  });

  it("cannot know about a revocation: a signed-out session's token works here until it expires", async () => {
    const { client } = await signUp(overHttp);
    const token = client.cookies.get("auth_access")!;
    const api = resourceServer();
    expect((await api.request("/api/whoami", bearer(token))).status).toBe(200);

    expect((await client.post("/api/auth/logout")).status).toBe(204);
    // Our own app knows at once (its revocation list): the same token is refused there…
    const ours = await overHttp(
      new Request("http://localhost/api/auth/session", {
        headers: { Cookie: `auth_access=${token}` },
      }),
    );
    expect(ours.status).toBe(401);
    // …but the resource server, which only checks the signature and the times, still accepts
    // it (it could ask POST /api/auth/introspect to know better, at one request per call).
    clock.advanceSeconds(TTL - 1);
    expect((await api.request("/api/whoami", bearer(token))).status).toBe(200);
    // At expiry (≤ the access-token lifetime after the sign-out) it is refused everywhere.
    clock.advanceSeconds(1);
    expect((await api.request("/api/whoami", bearer(token))).status).toBe(401);
  });
});
