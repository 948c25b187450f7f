import {
  base64url,
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  SignJWT,
  type JWK,
} from "jose";
import { describe, expect, it } from "vitest";
import { AccessTokenService } from "./access-token.js";
import { createKeyRing, type KeyRing } from "./key-ring.js";
import {
  generateSigningKey,
  importSigningKeys,
  signingJwkProblem,
  type AsymmetricAlgorithm,
} from "./signing-keys.js";

const SECRET = "hs-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
const now = Date.UTC(2030, 0, 1);
const nowSeconds = now / 1000;
const subject = { userId: "u1", sessionId: "s1", role: "user", authTime: nowSeconds };

const service = (keys: KeyRing) =>
  new AccessTokenService({ keys, issuer: "iss", audience: "aud", ttlSeconds: 600 });

const publicOf = ({ d: _d, ...rest }: JWK): JWK => rest;

/** The claims our tokens carry, for an attacker who mints their own. */
const claims = { sub: "u1", sid: "s1", role: "admin", auth_time: nowSeconds };

function forged(header: Record<string, unknown>) {
  return new SignJWT(claims)
    .setProtectedHeader({ typ: "at+jwt", ...header } as unknown as { alg: string })
    .setIssuer("iss")
    .setAudience("aud")
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + 600);
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

describe.each(["EdDSA", "ES256"] as const)("%s access tokens: the attacker's tests", (alg) => {
  const other: AsymmetricAlgorithm = alg === "EdDSA" ? "ES256" : "EdDSA";

  it("round-trips, with the key's thumbprint as kid and the configured alg", async () => {
    const key = await generateSigningKey(alg);
    const tokens = service(await importSigningKeys({ algorithm: alg, current: key }));
    const { token, claims: minted } = await tokens.mint(subject, now);
    const header = JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[0]!)));
    expect(header).toEqual({ alg, typ: "at+jwt", kid: key.kid });
    expect(key.kid).toBe(await calculateJwkThumbprint(publicOf(key)));
    // A fresh service (nothing cached) verifies the signature itself.
    const verifier = service(await importSigningKeys({ algorithm: alg, current: key }));
    expect(await verifier.verify(token, now)).toEqual(minted);
  });

  it("refuses an HS256 token, even one whose HMAC key is our public key (alg confusion)", async () => {
    const key = await generateSigningKey(alg);
    const tokens = service(await importSigningKeys({ algorithm: alg, current: key }));
    const hmacKeys = [
      new TextEncoder().encode(JSON.stringify(publicOf(key))),
      base64url.decode(key.x!),
      new TextEncoder().encode(SECRET),
    ];
    for (const hmacKey of hmacKeys) {
      const token = await forged({ alg: "HS256", kid: key.kid }).sign(hmacKey);
      expect(await tokens.verify(token, now)).toBeUndefined();
    }
    // The HS256 service's own genuine token, same secret, is refused too.
    const { token } = await service(await createKeyRing(SECRET)).mint(subject, now);
    expect(await tokens.verify(token, now)).toBeUndefined();
  });

  it("refuses alg none, in several spellings, with our kid", async () => {
    const key = await generateSigningKey(alg);
    const tokens = service(await importSigningKeys({ algorithm: alg, current: key }));
    const { token } = await tokens.mint(subject, now);
    const body = token.split(".")[1];
    const verifier = service(await importSigningKeys({ algorithm: alg, current: key }));
    for (const none of ["none", "None", "NONE"]) {
      const unsigned = `${encode({ alg: none, typ: "at+jwt", kid: key.kid })}.${body}.`;
      expect(await verifier.verify(unsigned, now)).toBeUndefined();
    }
  });

  it(`refuses a token of the other asymmetric family (${other}), whatever its kid`, async () => {
    const key = await generateSigningKey(alg);
    const tokens = service(await importSigningKeys({ algorithm: alg, current: key }));
    const foreign = await generateSigningKey(other);
    const { privateKey } = await generateKeyPair(other, { extractable: true });
    for (const kid of [foreign.kid, key.kid]) {
      const token = await forged({ alg: other, kid }).sign(privateKey);
      expect(await tokens.verify(token, now)).toBeUndefined();
    }
  });

  it("refuses a token signed by a key not in the ring that carries its own jwk header", async () => {
    const key = await generateSigningKey(alg);
    const tokens = service(await importSigningKeys({ algorithm: alg, current: key }));
    const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
    const embedded = await exportJWK(publicKey);
    const attackerKid = await calculateJwkThumbprint(embedded);
    for (const kid of [attackerKid, key.kid, undefined]) {
      const header = { alg, jwk: embedded, ...(kid ? { kid } : {}) };
      expect(await tokens.verify(await forged(header).sign(privateKey), now)).toBeUndefined();
      const jku = { alg, jku: "https://evil.example/jwks.json", ...(kid ? { kid } : {}) };
      expect(await tokens.verify(await forged(jku).sign(privateKey), now)).toBeUndefined();
    }
  });

  it("an HS256 service refuses a token of this family, even with its own kid", async () => {
    const ring = await createKeyRing(SECRET);
    const tokens = service(ring);
    const { privateKey } = await generateKeyPair(alg);
    const token = await forged({ alg, kid: ring.current.kid }).sign(privateKey);
    expect(await tokens.verify(token, now)).toBeUndefined();
  });

  it("rotation: next is accepted before it signs; old and new overlap; the old is refused once removed", async () => {
    const old = await generateSigningKey(alg);
    const next = await generateSigningKey(alg);
    // 1. publish the next key: the old one signs, both verify.
    const publishing = service(await importSigningKeys({ algorithm: alg, current: old, next }));
    const { token: oldToken } = await publishing.mint(subject, now);
    // A process already on step 2 (a rolling deploy) signs with the next key…
    const promoted = await importSigningKeys({
      algorithm: alg,
      current: next,
      previous: [publicOf(old)],
    });
    const { token: newToken } = await service(promoted).mint(subject, now);
    // …and a process still on step 1 accepts its tokens.
    const stillOnStep1 = service(await importSigningKeys({ algorithm: alg, current: old, next }));
    expect(await stillOnStep1.verify(newToken, now)).toMatchObject(subject);
    // 2. overlap: both accepted.
    const overlap = service(promoted);
    expect(await overlap.verify(oldToken, now + 1000)).toMatchObject(subject);
    expect(await overlap.verify(newToken, now + 1000)).toMatchObject(subject);
    // 3. the old key removed after one access-token lifetime: refused, the new still fine.
    const retired = service(await importSigningKeys({ algorithm: alg, current: next }));
    expect(await retired.verify(oldToken, now + 1000)).toBeUndefined();
    expect(await retired.verify(newToken, now + 1000)).toMatchObject(subject);
  });

  it("publishes the public halves only: current, next, previous", async () => {
    const [current, next, previous] = await Promise.all([
      generateSigningKey(alg),
      generateSigningKey(alg),
      generateSigningKey(alg),
    ]);
    const ring = await importSigningKeys({ algorithm: alg, current, next, previous: [previous] });
    expect(ring.publicJwks.map((jwk) => jwk.kid)).toEqual([current.kid, next.kid, previous.kid]);
    for (const jwk of ring.publicJwks) {
      expect(jwk).not.toHaveProperty("d");
      expect(jwk).toMatchObject({ alg, use: "sig" });
    }
  });

  it("refuses, at import, a kid that is not the thumbprint, a d of another key, a duplicate", async () => {
    const key = await generateSigningKey(alg);
    const stranger = await generateSigningKey(alg);
    await expect(
      importSigningKeys({ algorithm: alg, current: { ...key, kid: "mine" } }),
    ).rejects.toThrow(/thumbprint/);
    await expect(
      importSigningKeys({ algorithm: alg, current: { ...key, kid: undefined, d: stranger.d } }),
    ).rejects.toThrow(/does not belong|not a valid .* private key/);
    await expect(
      importSigningKeys({ algorithm: alg, current: key, previous: [publicOf(key)] }),
    ).rejects.toThrow(/same key/);
  });

  it("checks each JWK's shape synchronously", async () => {
    const key = await generateSigningKey(alg);
    const foreign = await generateSigningKey(other);
    expect(signingJwkProblem(alg, key, true)).toBeUndefined();
    expect(signingJwkProblem(alg, publicOf(key), false)).toBeUndefined();
    expect(signingJwkProblem(alg, publicOf(key), true)).toMatch(/private key/);
    expect(signingJwkProblem(alg, foreign, true)).toMatch(new RegExp(`must be a ${alg} key`));
    expect(signingJwkProblem(alg, { ...key, alg: "HS256" }, true)).toMatch(/alg/);
    expect(signingJwkProblem(alg, { ...key, use: "enc" }, true)).toMatch(/use/);
    expect(signingJwkProblem(alg, { ...key, x: "short" }, true)).toMatch(/`x`/);
    expect(signingJwkProblem(alg, "a string", true)).toMatch(/JWK object/);
    expect(signingJwkProblem(alg, [key], true)).toMatch(/JWK object/);
  });
});
