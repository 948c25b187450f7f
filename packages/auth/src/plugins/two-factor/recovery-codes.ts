import { createHash, randomInt } from "node:crypto";

/** How many codes a user gets at enrolment and at each regeneration. */
export const RECOVERY_CODE_COUNT = 10;

/**
 * RFC 4648 base32, lower case: no 0/1/8/9, so nothing to confuse with o, l, i or b, and the
 * user may type it in any case.
 */
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const GROUP = 5;
/** 10 characters of 32: 50 bits each, more than any online guessing gets near. */
const LENGTH = 2 * GROUP;

/** One fresh code, as shown to the user: `xxxxx-xxxxx`. */
export function newRecoveryCode(): string {
  let code = "";
  for (let index = 0; index < LENGTH; index += 1) code += ALPHABET[randomInt(ALPHABET.length)];
  return `${code.slice(0, GROUP)}-${code.slice(GROUP)}`;
}

/** {@link RECOVERY_CODE_COUNT} distinct fresh codes. */
export function newRecoveryCodes(): string[] {
  const codes = new Set<string>();
  while (codes.size < RECOVERY_CODE_COUNT) codes.add(newRecoveryCode());
  return [...codes];
}

/**
 * What the user typed, as the code it stands for: case, spaces, dashes (of any kind) and
 * surrounding noise ignored; `undefined` when it cannot be one of ours (wrong length or a
 * character outside the alphabet), so no hash is computed for it.
 */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\-‐-―−_]/g, "");
  if (compact.length !== LENGTH) return undefined;
  for (const char of compact) if (!ALPHABET.includes(char)) return undefined;
  return compact;
}

/**
 * What the database keeps of a code: SHA-256 (the codes are random, 50 bits; no slow hash
 * needed) over the owner's id and the normalised code, so equal codes of two users differ
 * and a leaked table cannot be attacked for every user at once.
 */
export function hashRecoveryCode(userId: string, normalizedCode: string): string {
  return createHash("sha256")
    .update(`hybrid-auth recovery code\0${userId}\0${normalizedCode}`)
    .digest("base64url");
}
