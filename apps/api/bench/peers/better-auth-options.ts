/**
 * Better Auth as the bench's peer (issue 19), not part of the product: its options for each
 * configuration the bench measures, and its schema. Only the bench imports Better Auth (a
 * devDependency of apps/api; ESLint forbids it in src/).
 *
 * - Database: a `pg` Pool handed to `database`, which Better Auth wraps in its built-in
 *   Kysely PostgreSQL dialect — the path its PostgreSQL adapter page documents. The pool keeps
 *   pg's default of 10 connections, as many as our server's postgres.js pool.
 * - Passwords: its default (scrypt on Node's thread pool).
 * - Rate limits: left on, as in production, with its limits raised so they never answer 429
 *   to the bench (all bench traffic comes from one address; without a forwarded-for header
 *   Better Auth puts every client in one bucket per path, 100 requests per 10 s, and
 *   sign-up/sign-in in one of 3 per 10 s). The limiter's own work stays on every request.
 *   Our bench raises our sign-in and sign-up limits the same way (run.ts SERVER_ENV).
 */
import { betterAuth, type BetterAuthOptions } from "better-auth";
import { getMigrations } from "better-auth/db/migration";
import pg from "pg";
import {
  BETTER_AUTH_MODES,
  COOKIE_CACHE_MAX_AGE_SECONDS,
  type BetterAuthMode,
} from "./better-auth-configs.js";

const NEVER = { window: 10, max: 1_000_000_000 };

/**
 * The Better Auth options of one configuration.
 *
 * @example
 * betterAuth(betterAuthOptions({ pool, baseURL: "http://127.0.0.1:3000", secret, mode: "jwt" }));
 */
export function betterAuthOptions(options: {
  pool: pg.Pool;
  baseURL: string;
  secret: string;
  mode: BetterAuthMode;
}) {
  const { pool, baseURL, secret, mode } = options;
  if (!BETTER_AUTH_MODES.includes(mode)) throw new Error(`unknown Better Auth mode: ${mode}`);
  if (secret.length < 32) throw new Error("the Better Auth secret needs 32 characters or more");
  return {
    database: pool,
    baseURL,
    secret,
    emailAndPassword: { enabled: true },
    ...(mode === "default"
      ? {}
      : {
          session: {
            cookieCache: {
              enabled: true,
              maxAge: COOKIE_CACHE_MAX_AGE_SECONDS,
              strategy: mode,
            },
          },
        }),
    rateLimit: {
      enabled: true,
      ...NEVER,
      customRules: { "/sign-in/*": NEVER, "/sign-up/*": NEVER },
    },
    telemetry: { enabled: false },
    logger: { level: "error" },
  } satisfies BetterAuthOptions;
}

/** A Better Auth instance of one configuration (the type its server script uses). */
export function createBetterAuth(options: Parameters<typeof betterAuthOptions>[0]) {
  return betterAuth(betterAuthOptions(options));
}

/**
 * Creates Better Auth's tables (user, session, account, verification) in the database at
 * `databaseUrl`, as its CLI's `migrate` would, through its programmatic `getMigrations`.
 *
 * @example
 * await migrateBetterAuth("postgres://postgres@127.0.0.1:5432/bench_ba_x");
 */
export async function migrateBetterAuth(databaseUrl: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    const { runMigrations } = await getMigrations(
      betterAuthOptions({
        pool,
        baseURL: "http://127.0.0.1",
        secret: "migration-only-secret-0123456789abcdef",
        mode: "default",
      }),
    );
    await runMigrations();
  } finally {
    await pool.end();
  }
}
