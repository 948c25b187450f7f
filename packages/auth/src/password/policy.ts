import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import * as common from "@zxcvbn-ts/language-common";
import * as english from "@zxcvbn-ts/language-en";

export type PasswordPolicyOptions = {
  minLength: number;
  /** Characters, after NFKC normalisation. */
  maxLength: number;
  /** Bytes of UTF-8, after normalisation: the cap on what reaches argon2. */
  maxBytes: number;
  /** zxcvbn score (0–4) a password must reach; 3 = "safely unguessable". */
  minScore: 0 | 1 | 2 | 3 | 4;
};

export const DEFAULT_PASSWORD_POLICY: PasswordPolicyOptions = {
  minLength: 8,
  maxLength: 256,
  maxBytes: 1024,
  minScore: 3,
};

/**
 * zxcvbn's cost grows with length; past this many characters a password is long enough. With
 * at most 10 l33t rewrites (below) the worst hostile 64-character password found costs about
 * 50 ms, against 0.8–1.8 s for 100 characters with the library's default of 100 rewrites: a
 * public password check must not let one client stall the event loop. The verdicts of a sample
 * of ordinary passwords are the same either way.
 */
const STRENGTH_CHECK_PREFIX = 64;
const L33T_MAX_SUBSTITUTIONS = 10;

let estimator: ZxcvbnFactory | undefined;
/** Built on first use: the dictionaries cost a few MB and some start-up time. */
function strengthEstimator(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
    l33tMaxSubstitutions: L33T_MAX_SUBSTITUTIONS,
  });
  return estimator;
}

/** Unicode-normalises a password so the same characters always hash the same (NFKC). */
export function normalizePassword(password: string): string {
  return password.normalize("NFKC");
}

/**
 * The words of a user's own email and name that a password should not be built from:
 * `ada.lovelace@example.com` gives `ada.lovelace`, `ada`, `lovelace`, `example`…
 */
export function personalWords(...values: (string | null | undefined)[]): string[] {
  const words = new Set<string>();
  for (const value of values) {
    if (!value) continue;
    const lower = value.toLowerCase();
    words.add(lower);
    const local = lower.split("@")[0] ?? "";
    words.add(local);
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 3) words.add(part);
  }
  words.delete("");
  return [...words];
}

/**
 * Checks a (normalised) password against length bounds and a strength estimator. Returns the
 * reason it is refused, or `undefined` when it is acceptable. No composition rules.
 */
export function passwordProblem(
  password: string,
  policy: PasswordPolicyOptions,
  /** Words from the user's own data, see {@link personalWords}. */
  context: string[] = [],
): string | undefined {
  const length = [...password].length;
  if (length < policy.minLength) return `must be at least ${policy.minLength} characters`;
  if (
    length > policy.maxLength ||
    new TextEncoder().encode(password).byteLength > policy.maxBytes
  ) {
    return `must be at most ${policy.maxLength} characters`;
  }
  if (policy.minScore === 0) return undefined;
  const result = strengthEstimator().check(password.slice(0, STRENGTH_CHECK_PREFIX), context);
  if (result.score >= policy.minScore) return undefined;
  const warning = result.feedback.warning;
  return warning
    ? `is too easy to guess: ${warning.replace(/\.$/, "").toLowerCase()}`
    : "is too easy to guess: add more words or characters";
}
