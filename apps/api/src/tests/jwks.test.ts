import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { createTestApp, type TestApp } from "../testing/test-app.js";

let t: TestApp;
beforeAll(async () => {
  // The development key loadConfig makes (node:crypto's JWK), as `pnpm dev` would use it.
  const { signing } = loadConfig(
    {
      AUTH_SECRET: "a-development-secret-that-is-long-enough-0123456789",
      AUTH_SIGNING_ALG: "EdDSA",
      DATA_DIR: mkdtempSync(join(tmpdir(), "jwks-app-")),
    },
    () => {},
  ).auth;
  t = await createTestApp({ auth: { signing } });
}, 90_000);
afterAll(() => t.dispose());

describe("GET /.well-known/jwks.json on the app", () => {
  it("is served at the site root, cacheable, and verifies the app's access tokens", async () => {
    const response = await t.client().get("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    expect(response.headers.get("ETag")).toBeTruthy();
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const jwks = (await response.json()) as JSONWebKeySet;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", alg: "EdDSA", use: "sig" });
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const { client } = await t.signUp();
    const token = client.cookies.get("auth_access")!;
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: ["EdDSA"],
      issuer: "hybrid-auth",
      audience: "hybrid-auth",
      typ: "at+jwt",
      currentDate: new Date(t.clock.now()),
    });
    expect(payload.sid).toEqual(expect.any(String));
  });

  it("answers other methods 405 and unknown well-known paths 404, as problem+json", async () => {
    const post = await t.client().request("POST", "/.well-known/jwks.json", {
      headers: { Origin: "http://localhost" },
    });
    expect(post.status).toBe(405);
    expect(post.headers.get("Allow")).toBe("GET, HEAD");
    const missing = await t.client().get("/.well-known/openid-configuration");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("Content-Type")).toMatch(/problem\+json/);
  });

  it("is in the OpenAPI document, with its 200 and 304", async () => {
    const document = (await (await t.client().get("/api/openapi.json")).json()) as {
      paths: Record<string, { get?: { responses: Record<string, unknown> } }>;
    };
    const operation = document.paths["/.well-known/jwks.json"]?.get;
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(["200", "304"]);
  });
});
