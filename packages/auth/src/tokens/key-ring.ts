import { createHash, webcrypto } from "node:crypto";
import type { JWK } from "jose";

export type SigningSecret = string | Uint8Array;

/**
 * How access tokens are signed: HS256 with the shared `secret` (the default: one service
 * signs and verifies), or an asymmetric family whose public keys a JWKS publishes.
 */
export type AccessTokenAlgorithm = "HS256" | "EdDSA" | "ES256";

/** The smallest secret we accept: 256 bits, the HS256 output size (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

export type KeyRing = {
  /** The one algorithm tokens are signed and verified with: nothing else is accepted. */
  readonly algorithm: AccessTokenAlgorithm;
  /** The key new tokens are signed with. */
  readonly current: { kid: string; key: webcrypto.CryptoKey };
  /**
   * Every key verification accepts, by `kid`: the current one, the previous ones and (for
   * asymmetric keys) the next one. Only ever keys of `algorithm`.
   */
  readonly byKid: ReadonlyMap<string, webcrypto.CryptoKey>;
  /**
   * The public keys a JWKS serves (current, next, previous), each with `kid`, `alg` and
   * `use: "sig"`; empty for HS256, whose key is a secret.
   */
  readonly publicJwks: readonly JWK[];
};

function toBytes(secret: SigningSecret): Uint8Array {
  return typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
}

/** A public, stable key id: a truncated digest of the secret (reveals nothing usable). */
function keyIdOf(bytes: Uint8Array): string {
  return createHash("sha256").update("kid:").update(bytes).digest("base64url").slice(0, 16);
}

async function importHmacKey(bytes: Uint8Array): Promise<webcrypto.CryptoKey> {
  return webcrypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
    "verify",
  ]);
}

/**
 * The HS256 key ring. Imports every secret once, at start. Verifying with a raw `Uint8Array` makes jose import the
 * key again on every call, which costs more than the HMAC itself.
 */
export async function createKeyRing(
  current: SigningSecret,
  previous: readonly SigningSecret[] = [],
): Promise<KeyRing> {
  const byKid = new Map<string, webcrypto.CryptoKey>();
  let currentEntry: KeyRing["current"] | undefined;
  for (const secret of [current, ...previous]) {
    const bytes = toBytes(secret);
    if (bytes.byteLength < MIN_SECRET_BYTES) {
      throw new Error(`signing secrets must be at least ${MIN_SECRET_BYTES} bytes`);
    }
    const kid = keyIdOf(bytes);
    const key = await importHmacKey(bytes);
    byKid.set(kid, key);
    currentEntry ??= { kid, key };
  }
  return { algorithm: "HS256", current: currentEntry!, byKid, publicJwks: [] };
}
