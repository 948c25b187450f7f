import { hkdfSync } from "node:crypto";
import type { SigningSecret } from "./key-ring.js";

/**
 * A 32-byte key for one purpose, derived from a signing secret with HKDF-SHA-256: the secret
 * itself never leaves the key ring, and each purpose's key is independent of the others.
 *
 * @example
 * const key = deriveSubkey(secret, "mail outbox v1"); // AES-256-GCM key
 */
export function deriveSubkey(secret: SigningSecret, purpose: string): Buffer {
  const bytes = typeof secret === "string" ? Buffer.from(secret) : Buffer.from(secret);
  return Buffer.from(hkdfSync("sha256", bytes, "", `hybrid-auth ${purpose}`, 32));
}
