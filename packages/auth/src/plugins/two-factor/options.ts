import { AuthConfigError } from "../../options/config-error.js";
import { assertKnownOptions } from "../options.js";
import { SecretBox } from "./secret-box.js";

/** What `twoFactor()` is configured with: its encryption keys, the issuer label, limits. */
export type TwoFactorOptions = {
  /**
   * Keys that encrypt the TOTP secrets at rest (AES-256-GCM): each the base64 of 32 random
   * bytes (`openssl rand -base64 32`). The first encrypts; any decrypts, so a rotation puts
   * the new key first and keeps the old ones until every secret was re-encrypted (each is, the
   * next time its owner uses a code). Required; never derived from the JWT secret, so a leaked
   * signing secret does not expose them (and rotating it does not lock anyone out).
   */
  encryptionKeys: readonly string[];
  /**
   * The name authenticator apps show next to the account (the otpauth `issuer`), default
   * "Hybrid Auth". No colon (it separates the issuer from the account in the label).
   */
  issuer?: string;
  /**
   * Time steps (30 s each) accepted either side of now, for clocks that drift (default 1:
   * a code works from 30 s before to 30 s after its own step). 0 to 10.
   */
  window?: number;
  /**
   * Wrong codes (TOTP or recovery) allowed per account and client address when signing in, and
   * per session for step-up and enabling; past it 429 with `Retry-After` (default 5 per 15
   * minutes). Counted apart so that someone who only knows the password cannot lock the owner
   * out of their own devices.
   */
  throttle?: { points: number; seconds: number };
  /**
   * Wrong sign-in codes per account from browsers new to it, all addresses together (default
   * 20 per hour): the bound on distributed guessing.
   */
  accountThrottle?: { points: number; seconds: number };
};

export type ResolvedTwoFactorOptions = {
  box: SecretBox;
  issuer: string;
  window: number;
  throttle: { points: number; seconds: number };
  accountThrottle: { points: number; seconds: number };
};

export const DEFAULT_ISSUER = "Hybrid Auth";
export const DEFAULT_THROTTLE = { points: 5, seconds: 15 * 60 } as const;
export const DEFAULT_ACCOUNT_THROTTLE = { points: 20, seconds: 60 * 60 } as const;

const KNOWN = ["encryptionKeys", "issuer", "window", "throttle", "accountThrottle"];

const fail = (key: string, problem: string) =>
  new AuthConfigError(`plugins.two-factor.${key}`, problem);

/** Every option checked at start-up; an `AuthConfigError` names the one at fault. */
export function resolveTwoFactorOptions(options: TwoFactorOptions): ResolvedTwoFactorOptions {
  if (typeof options !== "object" || options === null) {
    throw fail(
      "encryptionKeys",
      "is required: twoFactor({ encryptionKeys: [base64 of 32 bytes] })",
    );
  }
  assertKnownOptions("two-factor", options, KNOWN);
  const box = new SecretBox(decodeKeys(options.encryptionKeys));

  const issuer = options.issuer ?? DEFAULT_ISSUER;
  if (typeof issuer !== "string" || issuer.trim() === "" || issuer.length > 100) {
    throw fail("issuer", "must be a non-empty string of at most 100 characters");
  }
  if (issuer.includes(":")) {
    throw fail("issuer", "must not contain a colon (it separates issuer and account in the label)");
  }

  const window = options.window ?? 1;
  if (!Number.isInteger(window) || window < 0 || window > 10) {
    throw fail("window", "must be an integer from 0 to 10 (time steps either side of now)");
  }

  return {
    box,
    issuer: issuer.trim(),
    window,
    throttle: resolveRate("throttle", options.throttle ?? DEFAULT_THROTTLE),
    accountThrottle: resolveRate(
      "accountThrottle",
      options.accountThrottle ?? DEFAULT_ACCOUNT_THROTTLE,
    ),
  };
}

function resolveRate(name: string, rate: unknown): { points: number; seconds: number } {
  if (typeof rate !== "object" || rate === null) throw fail(name, "must be { points, seconds }");
  for (const key of Object.keys(rate)) {
    if (key !== "points" && key !== "seconds") {
      throw fail(`${name}.${key}`, "is not an option (known: points, seconds)");
    }
  }
  const { points, seconds } = rate as Record<string, unknown>;
  for (const [key, value] of [
    ["points", points],
    ["seconds", seconds],
  ] as const) {
    if (!Number.isInteger(value) || (value as number) < 1) {
      throw fail(`${name}.${key}`, "must be a positive integer");
    }
  }
  return { points: points as number, seconds: seconds as number };
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Each key: standard base64 (or base64url) of exactly 32 bytes; no duplicates. `plugin` names
 * the option in the error (the OIDC plugin's `keepTokens.encryptionKeys` use the same rules).
 *
 * @example
 * const box = new SecretBox(decodeKeys(["<openssl rand -base64 32>"]));
 */
export function decodeKeys(keys: unknown, plugin = "two-factor"): Buffer[] {
  const fail = (key: string, problem: string) =>
    new AuthConfigError(`plugins.${plugin}.${key}`, problem);
  if (!Array.isArray(keys) || keys.length === 0) {
    throw fail(
      "encryptionKeys",
      "is required: a non-empty array of keys, each the base64 of 32 random bytes (openssl rand -base64 32)",
    );
  }
  const decoded = keys.map((key: unknown, index) => {
    if (typeof key !== "string") throw fail(`encryptionKeys.${index}`, "must be a string");
    const text = key.trim().replace(/-/g, "+").replace(/_/g, "/");
    if (!BASE64.test(text)) throw fail(`encryptionKeys.${index}`, "is not base64");
    const bytes = Buffer.from(text, "base64");
    if (bytes.length !== 32) {
      throw fail(
        `encryptionKeys.${index}`,
        `must be the base64 of 32 bytes (it decodes to ${bytes.length}); make one with openssl rand -base64 32`,
      );
    }
    if (bytes.every((byte) => byte === bytes[0])) {
      throw fail(`encryptionKeys.${index}`, "is not random (every byte is the same)");
    }
    return bytes;
  });
  const seen = new Set<string>();
  decoded.forEach((bytes, index) => {
    const hex = bytes.toString("hex");
    if (seen.has(hex)) throw fail(`encryptionKeys.${index}`, "repeats an earlier key");
    seen.add(hex);
  });
  return decoded;
}
