/** The Better Auth configurations the bench measures (no Better Auth code: safe to import anywhere in the bench). */

export const BETTER_AUTH_MODES = ["default", "compact", "jwt"] as const;
/** `default`: a database read per request; `compact`/`jwt`: its cookie cache's strategies. */
export type BetterAuthMode = (typeof BETTER_AUTH_MODES)[number];

export const BETTER_AUTH_ROUTES = ["handler", "middleware"] as const;
/**
 * `handler`: `GET /api/auth/get-session` through `auth.handler`; `middleware`: its
 * documented Hono middleware (`auth.api.getSession`) in front of an app route.
 */
export type BetterAuthRoute = (typeof BETTER_AUTH_ROUTES)[number];

/** How long its cookie cache trusts the session cookie it signed (its default, 5 minutes). */
export const COOKIE_CACHE_MAX_AGE_SECONDS = 5 * 60;
