import {
  base64url,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type JSONWebKeySet,
  type JWK,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthConfigError } from "../options/config-error.js";
import { generateSigningKey, type AsymmetricAlgorithm } from "../tokens/signing-keys.js";
import { createTestHost, TEST_SECRET, type TestHost } from "./test-host.js";

const JWKS = "/.well-known/jwks.json";
const publicOf = ({ d: _d, ...rest }: JWK): JWK => rest;
const decode = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part)));

/** `GET /api/auth/session` with only an access cookie (no session cookie to fall back on). */
async function statusWith(app: TestHost["app"], access: string): Promise<number> {
  const response = await app.request("/api/auth/session", {
    headers: { Cookie: `auth_access=${access}` },
  });
  return response.status;
}

describe.each(["EdDSA", "ES256"] as const)("a host signing with %s", (alg: AsymmetricAlgorithm) => {
  let t: TestHost;
  let key: JWK;
  let token: string;
  let payload: Record<string, unknown>;

  beforeAll(async () => {
    key = await generateSigningKey(alg);
    t = await createTestHost({ signingKeys: { algorithm: alg, current: key } });
    const { client } = await t.signUp();
    token = client.cookies.get("auth_access")!;
    payload = decode(token.split(".")[1]!);
  });
  afterAll(() => t.dispose());

  it("mints tokens with the key's alg and kid, which the JWKS alone verifies", async () => {
    expect(decode(token.split(".")[0]!)).toEqual({ alg, typ: "at+jwt", kid: key.kid });
    const response = await t.app.request("/.well-known/jwks.json");
    const jwks = (await response.json()) as JSONWebKeySet;
    const { payload: verified } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [alg],
      issuer: "hybrid-auth",
      audience: "hybrid-auth",
      typ: "at+jwt",
      currentDate: new Date(t.clock.now()),
    });
    expect(verified.sub).toBe(payload["sub"]);
    expect(await statusWith(t.app, token)).toBe(200);
  });

  it("attacker: an HS256 token signed with the host's own secret is refused (401)", async () => {
    const forged = await new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: key.kid! })
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect(await statusWith(t.app, forged)).toBe(401);
  });

  it("attacker: alg none with the real kid is refused (401)", async () => {
    const [, body] = token.split(".");
    const header = base64url.encode(JSON.stringify({ alg: "none", typ: "at+jwt", kid: key.kid }));
    expect(await statusWith(t.app, `${header}.${body}.`)).toBe(401);
  });

  it("attacker: their own key, embedded as a jwk header, under their kid or ours (401)", async () => {
    const { privateKey, publicKey } = await generateKeyPair(alg);
    const jwk = await exportJWK(publicKey);
    for (const kid of [key.kid!, "attacker"]) {
      const forged = await new SignJWT({ ...payload, role: "admin" })
        .setProtectedHeader({ alg, typ: "at+jwt", kid, jwk })
        .sign(privateKey);
      expect(await statusWith(t.app, forged)).toBe(401);
    }
  });

  it("serves only public keys at /.well-known/jwks.json, cacheable, with an ETag (304)", async () => {
    const response = await t.app.request("/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=300");
    const etag = response.headers.get("ETag")!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const body = await response.text();
    expect(body).not.toContain('"d"');
    expect(JSON.parse(body)).toEqual({ keys: [{ ...publicOf(key), alg, use: "sig" }] });
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await t.app.request("/.well-known/jwks.json", {
        headers: { "If-None-Match": ifNoneMatch },
      });
      expect(again.status).toBe(304);
      expect(again.headers.get("ETag")).toBe(etag);
      expect(await again.text()).toBe("");
    }
    const stale = await t.app.request("/.well-known/jwks.json", {
      headers: { "If-None-Match": '"stale"' },
    });
    expect(stale.status).toBe(200);
  });

  it("rotation: next published first; old and new tokens accepted in the overlap; old refused once removed", async () => {
    const next = await generateSigningKey(alg);
    // Step 1: the next key is published (and accepted), the old one still signs.
    const step1 = await t.sibling({ signingKeys: { algorithm: alg, current: key, next } });
    const published = (await (await step1.app.request(JWKS)).json()) as JSONWebKeySet;
    expect(published.keys.map((k: JWK) => k.kid)).toEqual([key.kid, next.kid]);
    // Step 2: the next key signs; the old one is kept, public half only.
    const step2 = await t.sibling({
      signingKeys: { algorithm: alg, current: next, previous: [publicOf(key)] },
    });
    const { client } = await t.signUp();
    const signedIn = client.cookies;
    const fresh = await step2.app.request("/api/auth/session", {
      headers: { Cookie: `auth_session=${signedIn.get("auth_session")}` },
    });
    const newToken = /auth_access=([^;]+)/.exec(fresh.headers.getSetCookie().join(","))![1]!;
    expect(decode(newToken.split(".")[0]!).kid).toBe(next.kid);
    expect(await statusWith(step2.app, token)).toBe(200);
    expect(await statusWith(step2.app, newToken)).toBe(200);
    // A process still on step 1 (rolling deploy) accepts the new key's tokens too.
    expect(await statusWith(step1.app, newToken)).toBe(200);
    // Step 3, one access-token lifetime later: the old key is removed from the config.
    const step3 = await t.sibling({ signingKeys: { algorithm: alg, current: next } });
    expect(await statusWith(step3.app, token)).toBe(401);
    expect(await statusWith(step3.app, newToken)).toBe(200);
    const after = (await (await step3.app.request(JWKS)).json()) as JSONWebKeySet;
    expect(after.keys.map((k: JWK) => k.kid)).toEqual([next.kid]);
    for (const host of [step1, step2, step3]) await host.auth.close();
  });

  it("switching back to HS256 refuses this family's tokens; the session cookie reissues one", async () => {
    const hs = await t.sibling({ signingKeys: undefined });
    expect(await statusWith(hs.app, token)).toBe(401);
    const jwks = await (await hs.app.request("/.well-known/jwks.json")).json();
    expect(jwks).toEqual({ keys: [] });
    const { client } = await t.signUp();
    const reissued = await hs.app.request("/api/auth/session", {
      headers: {
        Cookie: `auth_access=${client.cookies.get("auth_access")}; auth_session=${client.cookies.get("auth_session")}`,
      },
    });
    expect(reissued.status).toBe(200);
    const hsToken = /auth_access=([^;]+)/.exec(reissued.headers.getSetCookie().join(","))![1]!;
    expect(decode(hsToken.split(".")[0]!).alg).toBe("HS256");
    expect(await statusWith(t.app, hsToken)).toBe(401);
    await hs.auth.close();
  });
});

describe("signingKeys is validated when createAuth runs", () => {
  let t: TestHost;
  beforeAll(async () => {
    t = await createTestHost();
  });
  afterAll(() => t.dispose());

  it("names the key at fault", async () => {
    const ed = await generateSigningKey("EdDSA");
    const es = await generateSigningKey("ES256");
    const cases: [unknown, RegExp][] = [
      [{ algorithm: "RS256", current: ed }, /signingKeys\.algorithm.*EdDSA or ES256/],
      [{ algorithm: "HS256", current: ed }, /signingKeys\.algorithm/],
      [{ algorithm: "EdDSA", current: es }, /signingKeys\.current.*must be a EdDSA key/],
      [{ algorithm: "EdDSA", current: publicOf(ed) }, /signingKeys\.current.*private key/],
      [{ algorithm: "EdDSA", current: ed, previous: [es] }, /signingKeys\.previous\[0\]/],
      [{ algorithm: "EdDSA", current: ed, next: "{}" }, /signingKeys\.next.*JWK object/],
      [{ algorithm: "EdDSA", current: ed, nxt: ed }, /signingKeys\.nxt.*is not an option/],
      [{ algorithm: "EdDSA", current: { ...ed, kid: "mine" } }, /signingKeys\.current.*thumbprint/],
      [{ algorithm: "EdDSA", current: ed, next: ed }, /signingKeys\.next.*same key/],
    ];
    for (const [signingKeys, message] of cases) {
      const attempt = t.sibling({ signingKeys: signingKeys as never });
      await expect(attempt).rejects.toThrow(AuthConfigError);
      await expect(t.sibling({ signingKeys: signingKeys as never })).rejects.toThrow(message);
    }
  });
});
