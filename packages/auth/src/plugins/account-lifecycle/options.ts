import type { Db, Tx } from "../../db.js";
import { AuthConfigError } from "../../options/config-error.js";
import { assertKnownOptions } from "../options.js";
import type { Mailer } from "./mail/mailer.js";
import { DELIVERY_DEFAULTS, type DeliveryOptions } from "./mail/worker.js";

type Rate = { points: number; seconds: number };

export type AccountLifecycleOptions = {
  /** Where mail goes: `smtpMailer(url)`, `fileMailer(dir)`, or your own `Mailer`. */
  mailer: Mailer;
  /** The sender, e.g. `"Tidy <no-reply@tidy.example>"`. */
  from: string;
  /**
   * The public origin links point to (`https://app.example.com`): never the request's `Host`
   * header, which an attacker chooses.
   */
  publicUrl: string;
  /** The product's name in every message (default "Your account"). */
  productName?: string;
  /** The SPA's pages the links open, paths on `publicUrl` (see the defaults). */
  pages?: Partial<AccountPages>;
  /** Seconds each kind of link works: verify 24 h, reset 30 min, email change 1 h. */
  tokenLifetimes?: Partial<TokenLifetimes>;
  /** Mail a user when a browser new to their account signs in, unless they turned it off. */
  newSignInAlerts?: boolean;
  /**
   * No session until the email is verified (default false): sign-up creates the account and
   * mails the link without signing in (202), and sign-in answers 403
   * `/problems/email-not-verified` — only after the right password, so it tells a guesser
   * nothing.
   */
  requireVerifiedEmail?: boolean;
  /**
   * The host's own data in a user's export (`GET /me/export`), by section name: e.g.
   * `{ todos: (db, userId) => db.select().from(todos).where(eq(todos.userId, userId)) }`.
   */
  exportData?: Record<string, (db: Db | Tx, userId: string) => Promise<unknown>>;
  limits?: Partial<AccountLifecycleLimits>;
  /** Retries, back-off and polling of the mail worker. */
  delivery?: Partial<DeliveryOptions>;
  /** A message given up for good (default: logged with `console.error`). */
  onDeliveryError?: (error: unknown, mail: { id: number; kind: string; recipient: string }) => void;
};

export type AccountPages = {
  verifyEmail: string;
  resetPassword: string;
  confirmEmailChange: string;
  forgotPassword: string;
  devices: string;
  account: string;
};

export type TokenLifetimes = {
  verifyEmailSeconds: number;
  resetPasswordSeconds: number;
  changeEmailSeconds: number;
};

export type AccountLifecycleLimits = {
  /** Messages that one address can be sent on request (verify, reset, change), per window. */
  mailsPerAddress: Rate;
  /** Requests that send mail, per client address. */
  mailRequestsPerClient: Rate;
  /** Links redeemed (or guessed), per client address. */
  tokenAttemptsPerClient: Rate;
};

export const DEFAULT_PAGES: AccountPages = {
  verifyEmail: "/verify-email",
  resetPassword: "/reset-password",
  confirmEmailChange: "/confirm-email",
  forgotPassword: "/forgot-password",
  devices: "/devices",
  account: "/account",
};

export const DEFAULT_TOKEN_LIFETIMES: TokenLifetimes = {
  verifyEmailSeconds: 24 * 60 * 60,
  resetPasswordSeconds: 30 * 60,
  changeEmailSeconds: 60 * 60,
};

export const DEFAULT_LIMITS: AccountLifecycleLimits = {
  mailsPerAddress: { points: 5, seconds: 60 * 60 },
  mailRequestsPerClient: { points: 20, seconds: 15 * 60 },
  tokenAttemptsPerClient: { points: 30, seconds: 15 * 60 },
};

export type ResolvedOptions = Required<
  Omit<AccountLifecycleOptions, "pages" | "tokenLifetimes" | "limits" | "delivery">
> & {
  publicOrigin: string;
  pages: AccountPages;
  tokenLifetimes: TokenLifetimes;
  limits: AccountLifecycleLimits;
  delivery: DeliveryOptions;
};

const KNOWN = [
  "mailer",
  "from",
  "publicUrl",
  "productName",
  "pages",
  "tokenLifetimes",
  "newSignInAlerts",
  "requireVerifiedEmail",
  "exportData",
  "limits",
  "delivery",
  "onDeliveryError",
];

const fail = (key: string, problem: string) =>
  new AuthConfigError(`plugins.account-lifecycle.${key}`, problem);

function positiveIntegers<T extends object>(key: string, value: T): T {
  for (const [name, entry] of Object.entries(value)) {
    const numbers = typeof entry === "object" && entry ? Object.values(entry) : [entry];
    for (const number of numbers) {
      if (!Number.isInteger(number) || (number as number) < 1) {
        throw fail(`${key}.${name}`, "must be a positive integer");
      }
    }
  }
  return value;
}

/** Every option checked at start-up; an `AuthConfigError` names the one at fault. */
export function resolveOptions(options: AccountLifecycleOptions): ResolvedOptions {
  assertKnownOptions("account-lifecycle", options, KNOWN);
  if (typeof options.mailer?.send !== "function") {
    throw fail("mailer", "is required: smtpMailer(url), fileMailer(dir) or an object with send()");
  }
  if (typeof options.from !== "string" || !/@/.test(options.from)) {
    throw fail("from", 'is required, an address like "Tidy <no-reply@tidy.example>"');
  }
  let publicOrigin: string;
  try {
    const url = new URL(options.publicUrl);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
    publicOrigin = url.origin;
  } catch {
    throw fail("publicUrl", "is required, the public origin like https://app.example.com");
  }
  const pages = { ...DEFAULT_PAGES, ...options.pages };
  for (const [name, path] of Object.entries(pages)) {
    if (typeof path !== "string" || !path.startsWith("/") || path.startsWith("//")) {
      throw fail(`pages.${name}`, 'must be a path on publicUrl, starting with one "/"');
    }
  }
  for (const [name, exporter] of Object.entries(options.exportData ?? {})) {
    if (typeof exporter !== "function") throw fail(`exportData.${name}`, "must be a function");
  }
  return {
    mailer: options.mailer,
    from: options.from,
    publicUrl: options.publicUrl,
    publicOrigin,
    productName: options.productName?.trim() || "Your account",
    pages,
    tokenLifetimes: positiveIntegers("tokenLifetimes", {
      ...DEFAULT_TOKEN_LIFETIMES,
      ...options.tokenLifetimes,
    }),
    newSignInAlerts: options.newSignInAlerts ?? true,
    requireVerifiedEmail: options.requireVerifiedEmail ?? false,
    exportData: options.exportData ?? {},
    limits: positiveIntegers("limits", { ...DEFAULT_LIMITS, ...options.limits }),
    delivery: positiveIntegers("delivery", { ...DELIVERY_DEFAULTS, ...options.delivery }),
    onDeliveryError:
      options.onDeliveryError ??
      ((error, mail) =>
        console.error(`mail: gave up on ${mail.kind} #${mail.id} to ${mail.recipient}`, error)),
  };
}
