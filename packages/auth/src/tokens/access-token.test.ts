import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AccessTokenService } from "./access-token.js";
import { createKeyRing } from "./key-ring.js";

const OLD = "old-secret-0123456789-abcdefghijklmnopqrstuv";
const NEW = "new-secret-0123456789-abcdefghijklmnopqrstuv";
const now = Date.UTC(2030, 0, 1);
const subject = { userId: "u1", sessionId: "s1", role: "user", authTime: now / 1000 };

async function service(current: string, previous: string[] = []) {
  return new AccessTokenService({
    keys: await createKeyRing(current, previous),
    issuer: "iss",
    audience: "aud",
    ttlSeconds: 600,
  });
}

describe("AccessTokenService", () => {
  it("round-trips claims and expires after the TTL", async () => {
    const tokens = await service(NEW);
    const { token, claims } = await tokens.mint(subject, now);
    expect(claims).toEqual({
      ...subject,
      issuedAt: now / 1000,
      expiresAt: now / 1000 + 600,
      authTime: now / 1000,
    });
    expect(await tokens.verify(token, now + 599_000)).toEqual(claims);
    expect(await tokens.verify(token, now + 600_000)).toBeUndefined();
  });

  it("verifies tokens signed with a previous key during a rotation (kid)", async () => {
    const before = await service(OLD);
    const { token } = await before.mint(subject, now);
    const rotated = await service(NEW, [OLD]);
    expect(await rotated.verify(token, now)).toMatchObject(subject);
    const retired = await service(NEW);
    expect(await retired.verify(token, now)).toBeUndefined();
  });

  it("answers synchronously only for a token it verified or minted, and only until expiry", async () => {
    const tokens = await service(NEW);
    const { token, claims } = await tokens.mint(subject, now);
    expect(tokens.verifyCached(token, now + 599_000)).toBe(claims);
    expect(tokens.verifyCached(token, now + 600_000)).toBeUndefined();
    // Validly signed but never seen by this service: the caller must verify it.
    const { token: elsewhere } = await (
      await service(NEW)
    ).mint({ ...subject, sessionId: "s2" }, now);
    expect(tokens.verifyCached(elsewhere, now)).toBeUndefined();
    expect(await tokens.verify(elsewhere, now)).toMatchObject({ sessionId: "s2" });
    expect(tokens.verifyCached(elsewhere, now)).toMatchObject({ sessionId: "s2" });
    const tampered = `${token.slice(0, token.indexOf(".") + 1)}e30${token.slice(token.lastIndexOf("."))}`;
    expect(tokens.verifyCached(tampered, now)).toBeUndefined();
  });

  it("checks expiry on cache hits too", async () => {
    const tokens = await service(NEW);
    const { token } = await tokens.mint(subject, now);
    expect(await tokens.verify(token, now)).toBeDefined();
    expect(await tokens.verify(token, now + 601_000)).toBeUndefined();
  });
});

describe("createKeyRing", () => {
  it("refuses secrets shorter than 32 bytes", async () => {
    await expect(createKeyRing("short")).rejects.toThrow(/32 bytes/);
  });
});

describe("tokens signed with our key but minted otherwise", () => {
  const SECRET = NEW;
  async function forge(claims: { iat: number; exp: number }) {
    const { current } = await createKeyRing(SECRET);
    return new SignJWT({ sid: "s1", role: "admin", auth_time: claims.iat })
      .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: current.kid })
      .setSubject("u1")
      .setIssuer("iss")
      .setAudience("aud")
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(current.key);
  }
  const nowSeconds = now / 1000;

  it.each([
    [
      "an iat in the future (immune to revocation)",
      { iat: nowSeconds + 3600, exp: nowSeconds + 3900 },
    ],
    ["a lifetime longer than configured", { iat: nowSeconds, exp: nowSeconds + 601 }],
    ["an absurd expiry", { iat: nowSeconds, exp: 1e20 }],
    ["an absurd issue time", { iat: 1e15, exp: 1e15 + 600 }],
    ["an expiry before the issue time", { iat: nowSeconds, exp: nowSeconds - 1 }],
  ])("refuses %s", async (_label, claims) => {
    const tokens = await service(SECRET);
    expect(await tokens.verify(await forge(claims), now)).toBeUndefined();
  });

  it("refuses a token without auth_time, or one claiming a proof after it was minted", async () => {
    const tokens = await service(SECRET);
    const { current } = await createKeyRing(SECRET);
    const sign = (extra: Record<string, unknown>) =>
      new SignJWT({ sid: "s1", role: "admin", ...extra })
        .setProtectedHeader({ alg: "HS256", typ: "at+jwt", kid: current.kid })
        .setSubject("u1")
        .setIssuer("iss")
        .setAudience("aud")
        .setIssuedAt(nowSeconds)
        .setExpirationTime(nowSeconds + 600)
        .sign(current.key);
    expect(await tokens.verify(await sign({}), now)).toBeUndefined();
    expect(await tokens.verify(await sign({ auth_time: nowSeconds + 1 }), now)).toBeUndefined();
    expect(await tokens.verify(await sign({ auth_time: "0" }), now)).toBeUndefined();
    const valid = await tokens.verify(await sign({ auth_time: nowSeconds - 60 }), now);
    expect(valid?.authTime).toBe(nowSeconds - 60);
  });

  it("accepts a token from a clock a few seconds ahead", async () => {
    const tokens = await service(SECRET);
    const token = await forge({ iat: nowSeconds + 3, exp: nowSeconds + 603 });
    expect(await tokens.verify(token, now)).toMatchObject({ userId: "u1" });
  });

  it("accepts one spelling only: no padding, no spaces", async () => {
    const tokens = await service(SECRET);
    const token = await forge({ iat: nowSeconds, exp: nowSeconds + 600 });
    expect(await tokens.verify(token, now)).toBeDefined();
    const [header, payload, signature] = token.split(".");
    for (const variant of [
      `${header}.${payload}.${signature}=`,
      `${header}=.${payload}.${signature}`,
      ` ${token}`,
      `${token} `,
      `${header}.${payload}. ${signature}`,
    ]) {
      expect(await tokens.verify(variant, now), variant).toBeUndefined();
    }
  });
});
