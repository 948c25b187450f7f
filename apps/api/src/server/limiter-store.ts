import { Redis } from "ioredis";
import type { LimiterStore } from "@hybrid-auth/auth";
import type { Database } from "@hybrid-auth/db";
import type { Config } from "../config.js";

/**
 * Where brute-force counters live: Redis when `REDIS_URL` is set, else the shared PostgreSQL
 * database, else this process's memory (embedded PGlite is one process anyway).
 */
export function sharedLimiterStore(
  config: Pick<Config, "redisUrl">,
  database: Database,
): { store: LimiterStore; close(): Promise<void> } {
  if (config.redisUrl) {
    const client = new Redis(config.redisUrl, {
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
    });
    return { store: { kind: "redis", client }, close: async () => void (await client.quit()) };
  }
  if (database.kind === "postgres") {
    return { store: { kind: "database", db: database.db }, close: async () => {} };
  }
  return { store: { kind: "memory" }, close: async () => {} };
}
