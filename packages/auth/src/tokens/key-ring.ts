import { createHash, webcrypto } from "node:crypto";

export type SigningSecret = string | Uint8Array;

/** The smallest secret we accept: 256 bits, the HS256 output size (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32;

export type KeyRing = {
  /** The key new tokens are signed with. */
  readonly current: { kid: string; key: webcrypto.CryptoKey };
  /** Current and previous keys by `kid`: verification accepts any of them. */
  readonly byKid: ReadonlyMap<string, webcrypto.CryptoKey>;
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
 * Imports every secret once, at start. Verifying with a raw `Uint8Array` makes jose import the
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
  return { current: currentEntry!, byKid };
}
