import { generateSecret, verify } from "otplib";

/** RFC 6238 as every authenticator app does it: HMAC-SHA1, 6 digits, 30-second steps. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;

/** A fresh secret: 20 random bytes (160 bits, RFC 4226's recommendation), base32. */
export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

/** The time step a moment falls in. */
export function timeStepAt(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The `otpauth://` URI authenticator apps scan (Google's key URI format, which they all
 * read): `otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`.
 * Written out here rather than by otplib, which drops the default parameters (some apps want
 * them) and leaves a colon of the label unencoded.
 */
export function totpUri(secret: string, issuer: string, account: string): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const query = [
    `secret=${secret}`,
    `issuer=${encodeURIComponent(issuer)}`,
    "algorithm=SHA1",
    `digits=${TOTP_DIGITS}`,
    `period=${TOTP_PERIOD_SECONDS}`,
  ].join("&");
  return `otpauth://totp/${label}?${query}`;
}

const CODE = /^\d{6}$/;

/**
 * The time step `code` belongs to, within `window` steps of now and after `lastUsedStep`
 * (a step is accepted once), or `undefined`. Constant-time comparison (otplib's).
 */
export async function matchingStep(
  secret: string,
  code: string,
  nowMs: number,
  window: number,
  lastUsedStep: number,
): Promise<number | undefined> {
  if (!CODE.test(code)) return undefined;
  const epoch = Math.floor(nowMs / 1000);
  const newest = timeStepAt(nowMs) + window;
  // Every step of the window was used already (otplib refuses an `afterTimeStep` past it).
  if (lastUsedStep >= newest) return undefined;
  const result = await verify({
    secret,
    token: code,
    epoch,
    epochTolerance: window * TOTP_PERIOD_SECONDS,
    ...(lastUsedStep >= 0 ? { afterTimeStep: lastUsedStep } : {}),
  });
  // `delta`: how many steps from now the code matched (the HOTP/TOTP union lacks `timeStep`).
  return result.valid ? timeStepAt(nowMs) + result.delta : undefined;
}
