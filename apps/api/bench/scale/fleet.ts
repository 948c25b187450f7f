/** Several production API servers on one PostgreSQL database, each its own process and port. */
import { startServer, type RunningServer } from "../server-process.js";

/**
 * What every scale-bench server gets: no throttling of the bench's own sign-ups, and the
 * production defaults otherwise (LISTEN/NOTIFY revocations, pool of 10 connections).
 */
export const SCALE_SERVER_ENV = {
  AUTH_SIGN_UPS_PER_CLIENT: "100000000",
  AUTH_SIGN_INS_PER_CLIENT: "100000000",
};

/**
 * Starts `count` servers on `databaseUrl`: the first alone (it migrates the fresh database),
 * then the others together. Stops whatever started if one fails.
 *
 * @example
 * const fleet = await startFleet(database.url, 8);
 * try { … fleet[3]!.url … } finally { await stopAll(fleet); }
 */
export async function startFleet(databaseUrl: string, count: number): Promise<RunningServer[]> {
  if (count < 1) throw new Error("startFleet: count must be at least 1");
  const env = { ...SCALE_SERVER_ENV, DATABASE_URL: databaseUrl };
  const first = await startServer(env);
  const rest = await Promise.allSettled(Array.from({ length: count - 1 }, () => startServer(env)));
  const started = [first, ...rest.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))];
  const failure = rest.find((r) => r.status === "rejected");
  if (failure) {
    await stopAll(started);
    throw failure.reason;
  }
  return started;
}

export async function stopAll(servers: readonly RunningServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.stop()));
}
