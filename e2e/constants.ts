/** Access-token lifetime of the server under test, in seconds (set by playwright.config.ts). */
export const ACCESS_TTL_SECONDS = 3;

/** The production cookie names (`__Host-` prefix: Secure, Path=/, no Domain). */
export const ACCESS_COOKIE = "__Host-auth_access";
export const SESSION_COOKIE = "__Host-auth_session";

/** Strong passwords (zxcvbn score ≥ 3). */
export const PASSWORD = "violet-kettle-harbour-93";
export const NEW_PASSWORD = "amber-lighthouse-quietly-17";

/** Where the run's SMTP server (scripts/smtp-inbox.mjs) writes what it receives. */
export const inboxDir = (dataDir: string) => `${dataDir}/inbox`;

/**
 * The administrator the e2e server starts with: `scripts/seed-admin.mjs` registers it and makes
 * it an admin with `pnpm auth:set-role` before the server starts.
 */
export const ADMIN_EMAIL = "admin@tidy.test";
export const ADMIN_PASSWORD = "granite-orchard-lantern-58";
