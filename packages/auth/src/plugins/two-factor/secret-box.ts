import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A key's id: the first 8 bytes of a SHA-256 of the key under a label (base64url), so a
 * ciphertext names the key that opens it without revealing anything of that key.
 */
export function keyId(key: Buffer): string {
  return createHash("sha256")
    .update("hybrid-auth two-factor key id\0")
    .update(key)
    .digest()
    .subarray(0, 8)
    .toString("base64url");
}

/** What {@link SecretBox.open} gives back. */
export type Opened = {
  plaintext: string;
  /** Sealed with a key other than the current (first) one: re-seal it when convenient. */
  stale: boolean;
};

/**
 * AES-256-GCM for the TOTP secrets at rest: `v1.<key id>.<iv>.<ciphertext>.<tag>`
 * (base64url parts), a fresh 96-bit IV each time, the owner's user id as associated data (a
 * ciphertext copied to another user's row does not open). `keys[0]` seals; any key opens,
 * found by the id the ciphertext carries.
 */
export class SecretBox {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly #current: { id: string; key: Buffer };

  constructor(keys: readonly Buffer[]) {
    const [first] = keys;
    if (!first) throw new RangeError("SecretBox needs at least one key");
    for (const key of keys) {
      if (key.length !== 32) throw new RangeError("SecretBox keys are 32 bytes");
    }
    this.#keys = new Map(keys.map((key) => [keyId(key), key]));
    this.#current = { id: keyId(first), key: first };
  }

  seal(plaintext: string, boundTo: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.#current.key, iv, {
      authTagLength: TAG_BYTES,
    });
    cipher.setAAD(Buffer.from(boundTo, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return [
      VERSION,
      this.#current.id,
      iv.toString("base64url"),
      body.toString("base64url"),
      cipher.getAuthTag().toString("base64url"),
    ].join(".");
  }

  /**
   * The plaintext, or `undefined` when it does not open: tampered with, bound to someone
   * else, or sealed with a key no longer configured.
   */
  open(sealed: string, boundTo: string): Opened | undefined {
    const parts = sealed.split(".");
    if (parts.length !== 5) return undefined;
    const [version, id, iv, body, tag] = parts as [string, string, string, string, string];
    if (version !== VERSION) return undefined;
    const key = this.#keys.get(id);
    if (!key) return undefined;
    const ivBytes = Buffer.from(iv, "base64url");
    const tagBytes = Buffer.from(tag, "base64url");
    if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, ivBytes, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(boundTo, "utf8"));
      decipher.setAuthTag(tagBytes);
      const plain = Buffer.concat([
        decipher.update(Buffer.from(body, "base64url")),
        decipher.final(),
      ]);
      return { plaintext: plain.toString("utf8"), stale: id !== this.#current.id };
    } catch {
      return undefined;
    }
  }
}
