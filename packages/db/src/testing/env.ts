/** The one place the test harness reads the environment: which server, if any, tests run on. */
export function testDatabaseUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/** A Redis server for the tests of Redis-backed features, when one is configured. */
export function testRedisUrl(): string | undefined {
  return process.env.TEST_REDIS_URL || process.env.REDIS_URL || undefined;
}

/**
 * True in CI (`.ci/run` exports `CI=true`): a tool the tests need there (PgBouncer) must be
 * present, and a test that would skip locally fails instead.
 */
export function runningInCi(): boolean {
  return process.env.CI === "true";
}

/** The PgBouncer binary the tests start (Debian's package: `/usr/sbin/pgbouncer`). */
export function pgbouncerBinary(): string {
  return process.env.PGBOUNCER_BIN || "/usr/sbin/pgbouncer";
}
