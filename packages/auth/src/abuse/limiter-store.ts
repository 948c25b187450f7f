import {
  RateLimiterDrizzle,
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { Db } from "../db.js";
import type { CoreTables } from "../schema/core-tables.js";

/**
 * Where rate-limit counters live. Memory suits one process (embedded database); with several
 * processes the counters must be shared, or an attacker spreads attempts over them.
 */
export type LimiterStore =
  { kind: "memory" } | { kind: "database"; db: Db } | { kind: "redis"; client: unknown };

export type LimiterSpec = { keyPrefix: string; points: number; duration: number };

export function createLimiter(
  store: LimiterStore,
  spec: LimiterSpec,
  rateLimits: CoreTables["rateLimits"],
): RateLimiterAbstract {
  switch (store.kind) {
    case "memory":
      return new RateLimiterMemory(spec);
    // A shared store that fails (Redis restarting, a database blip) falls back to counting in
    // this process's memory rather than failing the request.
    case "database":
      return new RateLimiterDrizzle({
        ...spec,
        storeClient: store.db,
        schema: rateLimits,
        // Its own timer would delete expired rows every 5 minutes, once per limiter and per
        // process. The retention job's `rate-limits` task does that once for the database,
        // under its advisory lock (docs/performance.md, "Worst cases").
        clearExpiredByTimeout: false,
        insuranceLimiter: new RateLimiterMemory(spec),
      });
    case "redis":
      return new RateLimiterRedis({
        ...spec,
        storeClient: store.client,
        insuranceLimiter: new RateLimiterMemory(spec),
      });
  }
}
