import { tokenSinkOf } from "../bearer/token-sink.js";
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { readCookie } from "../http/cookie-header.js";
import type { SigningSecret } from "../tokens/key-ring.js";
import { deriveSubkey } from "../tokens/subkeys.js";

/** How long a browser stays "known" for an account after its last successful sign-in. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 60 * 60;
/** Accounts remembered per browser (a shared family computer); the oldest drops out. */
const MAX_ACCOUNTS_PER_BROWSER = 5;
const ENTRY = /^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,12})\.([A-Za-z0-9_-]{43})$/;

export type DeviceCookieSettings = {
  /** `__Host-` name with `Secure` (production); off only for plain-http development. */
  secure: boolean;
  name: string;
  readCookieHeader: (c: Context) => string | undefined;
};

/** One key per secret, derived (HKDF) so the device cookie never shares a key with the JWT. */
const deriveKey = (secret: SigningSecret): Buffer => deriveSubkey(secret, "device cookie v1");

/**
 * OWASP's device cookies ("Slow Down Online Guessing Attacks with Device Cookies"): a browser
 * that signed in to an account successfully gets a signed entry naming that account, and
 * keeps it for 180 days. Sign-ins from such a browser are exempt from the account-wide limit
 * that stops distributed guessing (their failures are counted per device instead), so a
 * botnet cannot lock the owner out of the browsers they use.
 *
 * An entry is `nonce.issuedAt.HMAC(nonce, issuedAt, email)`; the email itself is not in the
 * cookie. Up to five accounts per browser.
 */
export class DeviceCookies {
  readonly #keys: Buffer[];
  readonly #wireName: string;

  constructor(
    secrets: readonly SigningSecret[],
    readonly settings: DeviceCookieSettings,
  ) {
    this.#keys = secrets.map(deriveKey);
    this.#wireName = settings.secure ? `__Host-${settings.name}` : settings.name;
  }

  /**
   * The device id (nonce) this browser holds for the account, when its entry is genuine and
   * younger than 180 days; otherwise `undefined` (an unknown browser).
   */
  knownDevice(c: Context, account: string, nowMs: number): string | undefined {
    for (const entry of this.#entries(c)) {
      const match = ENTRY.exec(entry);
      if (!match) continue;
      const [, nonce, issued] = match as unknown as [string, string, string, string];
      const issuedAt = parseInt(issued, 36);
      const ageSeconds = nowMs / 1000 - issuedAt;
      if (ageSeconds < -60 || ageSeconds > DEVICE_COOKIE_MAX_AGE_SECONDS) continue;
      const presented = Buffer.from(match[3]!, "base64url");
      for (const key of this.#keys) {
        const expected = this.#mac(key, nonce, issued, account);
        if (timingSafeEqual(expected, presented)) return nonce;
      }
    }
    return undefined;
  }

  /** After a successful sign-in: a fresh entry for this account, first; others kept. */
  remember(c: Context, account: string, nowMs: number): void {
    // A bearer client keeps no cookies: nothing to remember it by.
    if (tokenSinkOf(c)) return;
    const nonce = randomBytes(16).toString("base64url");
    const issued = Math.floor(nowMs / 1000).toString(36);
    const mac = this.#mac(this.#keys[0]!, nonce, issued, account).toString("base64url");
    const stale = this.knownDevice(c, account, nowMs);
    const others = this.#entries(c).filter(
      (entry) => ENTRY.test(entry) && !(stale && entry.startsWith(`${stale}.`)),
    );
    const value = [`${nonce}.${issued}.${mac}`, ...others]
      .slice(0, MAX_ACCOUNTS_PER_BROWSER)
      .join("~");
    setCookie(c, this.settings.name, value, {
      path: "/",
      secure: this.settings.secure,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
      ...(this.settings.secure ? { prefix: "host" as const } : {}),
    });
  }

  /** This browser's entry for the account is dropped (a deleted account); others kept. */
  forget(c: Context, account: string, nowMs: number): void {
    const known = this.knownDevice(c, account, nowMs);
    if (!known) return;
    const others = this.#entries(c).filter(
      (entry) => ENTRY.test(entry) && !entry.startsWith(`${known}.`),
    );
    const attributes = {
      path: "/",
      secure: this.settings.secure,
      httpOnly: true,
      sameSite: "Lax" as const,
      ...(this.settings.secure ? { prefix: "host" as const } : {}),
    };
    if (others.length === 0) {
      deleteCookie(c, this.settings.name, attributes);
      return;
    }
    setCookie(c, this.settings.name, others.join("~"), {
      ...attributes,
      maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS,
    });
  }

  #entries(c: Context): string[] {
    const header = this.settings.readCookieHeader(c);
    if (!header) return [];
    const value = readCookie(header, this.#wireName);
    return value ? value.split("~", MAX_ACCOUNTS_PER_BROWSER) : [];
  }

  #mac(key: Buffer, nonce: string, issued: string, account: string): Buffer {
    return createHmac("sha256", key).update(`${nonce}|${issued}|${account}`).digest();
  }
}
