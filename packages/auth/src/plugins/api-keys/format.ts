import { createHash, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { isUuid } from "../../ids.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** 30 base62 characters: log2(62^30) ≈ 178 bits of entropy (GitHub's token layout). */
const RANDOM_LENGTH = 30;
/** CRC32 fits in 6 base62 characters (62^6 > 2^32). */
const CHECKSUM_LENGTH = 6;
/** How many random characters the listing shows after the prefix. */
const SHOWN_LENGTH = 4;

/** `n` uniformly random base62 characters (rejection sampling: no modulo bias). */
export function randomBase62(n: number): string {
  let out = "";
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      // 248 = 4 × 62: bytes past it would favour the first characters.
      if (byte < 248 && out.length < n) out += BASE62[byte % 62];
    }
  }
  return out;
}

function base62Fixed(value: number, length: number): string {
  let out = "";
  for (let rest = value; out.length < length; rest = Math.floor(rest / 62)) {
    out = BASE62[rest % 62] + out;
  }
  return out;
}

/** The checksum of `prefix + random`: CRC32 in 6 base62 characters. */
function checksumOf(body: string): string {
  return base62Fixed(crc32(body), CHECKSUM_LENGTH);
}

/** A new API key secret: `<prefix><30 random base62><6 base62 CRC32 of what precedes>`. */
export function generateSecret(prefix: string): string {
  const body = prefix + randomBase62(RANDOM_LENGTH);
  return body + checksumOf(body);
}

const SHAPE = new RegExp(`^[A-Za-z0-9]{${RANDOM_LENGTH + CHECKSUM_LENGTH}}$`);

/**
 * True for a string with this deployment's prefix, the right length and alphabet, and a
 * checksum that matches: the check before any lookup (a typo or a forged key costs nothing).
 *
 * @example
 * isWellFormedSecret("hak_", generateSecret("hak_")) // true
 */
export function isWellFormedSecret(prefix: string, secret: string): boolean {
  if (!secret.startsWith(prefix)) return false;
  const rest = secret.slice(prefix.length);
  if (!SHAPE.test(rest)) return false;
  const body = secret.slice(0, secret.length - CHECKSUM_LENGTH);
  return checksumOf(body) === secret.slice(-CHECKSUM_LENGTH);
}

/** What the stored row keeps: SHA-256 of the secret, hex (decision 032). */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** What the listing shows of a key: the prefix and the first random characters. */
export function shownPrefix(prefix: string, secret: string): string {
  return secret.slice(0, prefix.length + SHOWN_LENGTH);
}

/**
 * A key's public id: `key_` and its row's UUID — never a session's id. The revocation events
 * of a key name the bare UUID (the events and their transport carry UUIDs; a random UUID is
 * no session's).
 */
export const publicKeyId = (rowId: string) => `key_${rowId}`;

/** The row id of a public key id, or `undefined` for anything else. */
export function rowIdOf(publicId: string): string | undefined {
  const rowId = publicId.startsWith("key_") ? publicId.slice(4) : "";
  return isUuid(rowId) ? rowId : undefined;
}
