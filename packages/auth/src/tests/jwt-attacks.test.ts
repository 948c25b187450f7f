import { SignJWT, base64url } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestHost, TEST_SECRET, type TestHost } from "./test-host.js";

let t: TestHost;
let token: string;
let header: Record<string, unknown>;
let payload: Record<string, unknown>;

beforeAll(async () => {
  t = await createTestHost();
  const { client } = await t.signUp();
  token = client.cookies.get("auth_access")!;
  const [h, p] = token.split(".");
  header = JSON.parse(new TextDecoder().decode(base64url.decode(h!)));
  payload = JSON.parse(new TextDecoder().decode(base64url.decode(p!)));
});
afterAll(() => t.dispose());

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

/** Sends only an access cookie (no session cookie to fall back on). */
async function statusWith(access: string): Promise<number> {
  const response = await t.client().get("/api/auth/session", { Cookie: `auth_access=${access}` });
  return response.status;
}

async function signWith(
  secret: string,
  overrides: { header?: Record<string, unknown>; payload?: Record<string, unknown> } = {},
) {
  return new SignJWT({ ...payload, ...overrides.payload })
    .setProtectedHeader({ ...header, ...overrides.header } as { alg: string })
    .sign(new TextEncoder().encode(secret));
}

describe("access-token attacks without a session cookie fall through to 401", () => {
  it("accepts the genuine token (control)", async () => {
    expect(await statusWith(token)).toBe(200);
  });

  it("alg none, in several spellings", async () => {
    const [, body] = token.split(".");
    for (const alg of ["none", "None", "NONE", "nOnE"]) {
      expect(await statusWith(`${encode({ ...header, alg })}.${body}.`)).toBe(401);
    }
  });

  it("a tampered payload (role escalation) with the original signature", async () => {
    const [h, , signature] = token.split(".");
    expect(await statusWith(`${h}.${encode({ ...payload, role: "admin" })}.${signature}`)).toBe(
      401,
    );
  });

  it("with the real key: a future iat, an overlong lifetime, absurd numbers — 401, never 500", async () => {
    const iat = payload["iat"] as number;
    for (const times of [
      { iat: iat + 3600, exp: iat + 4200 },
      { iat, exp: iat + 86_400 },
      { iat, exp: 1e20 },
      { iat: 1e15, exp: 1e15 + 600 },
    ]) {
      expect(await statusWith(await signWith(TEST_SECRET, { payload: times }))).toBe(401);
    }
  });

  it("a token signed with another key", async () => {
    expect(await statusWith(await signWith("another-secret-0123456789-abcdefghijklmnop"))).toBe(
      401,
    );
  });

  it("a wrong issuer, audience or typ", async () => {
    expect(await statusWith(await signWith(TEST_SECRET, { payload: { iss: "evil" } }))).toBe(401);
    expect(await statusWith(await signWith(TEST_SECRET, { payload: { aud: "other-app" } }))).toBe(
      401,
    );
    expect(await statusWith(await signWith(TEST_SECRET, { header: { typ: "JWT" } }))).toBe(401);
  });

  it("an unknown kid, and a different HMAC algorithm", async () => {
    expect(
      await statusWith(await signWith(TEST_SECRET, { header: { kid: "../../etc/passwd" } })),
    ).toBe(401);
    expect(await statusWith(await signWith(TEST_SECRET, { header: { alg: "HS512" } }))).toBe(401);
  });

  it("an expired token and no session cookie", async () => {
    t.clock.advanceSeconds(601);
    expect(await statusWith(token)).toBe(401);
    t.clock.advanceSeconds(-601);
  });

  it("stripped or truncated signatures, wrong segment counts, garbage", async () => {
    const [h, p, s] = token.split(".");
    for (const value of [
      `${h}.${p}.`,
      `${h}.${p}`,
      `${h}.${p}.${s!.slice(0, -4)}`,
      `${h}.${p}.${s}.extra`,
      "not-a-jwt",
      "!!!.???.***",
      "a".repeat(10_000),
    ]) {
      expect(await statusWith(value)).toBe(401);
    }
  });

  it("clears the invalid cookie it refused", async () => {
    const response = await t.client().get("/api/auth/session", { Cookie: "auth_access=garbage" });
    expect(response.status).toBe(401);
    expect(response.headers.getSetCookie().join(";")).toMatch(/auth_access=;.*Max-Age=0/);
  });
});
