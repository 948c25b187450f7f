/**
 * The argon2 work of `PasswordHasher`, run by its worker pool (piscina) on threads of the
 * lowest CPU priority: when a sign-in flood and authenticated traffic want the same core, the
 * scheduler serves the event loop first and hashing gets what is left, instead of the two
 * sharing it evenly. Plain JavaScript, so it loads the same under Node, tsx and vitest.
 */
import { setPriority } from "node:os";
import { hashSync, verifySync } from "@node-rs/argon2";

// Linux nice values belong to a thread, so this lowers this worker only. Elsewhere the same
// call would lower the whole process, so it is left alone there.
if (process.platform === "linux") {
  try {
    setPriority(19);
  } catch {
    // Not permitted: hash at normal priority.
  }
}

/** @param {{ password: string, options: import("@node-rs/argon2").Options }} task */
export function hash({ password, options }) {
  return hashSync(password, options);
}

/** @param {{ storedHash: string, password: string }} task */
export function verify({ storedHash, password }) {
  try {
    return verifySync(storedHash, password);
  } catch {
    // A malformed stored hash simply does not match.
    return false;
  }
}
