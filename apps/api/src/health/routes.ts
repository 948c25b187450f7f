import { Hono } from "hono";
import { isMigrated, type Database } from "@hybrid-auth/db";
import { problemResponse } from "@hybrid-auth/auth";

/** Liveness (no database) and readiness (database reachable and migrated). */
export function createHealthRoutes(database: Database) {
  return new Hono()
    .get("/health", (c) => c.json({ status: "ok" }))
    .get("/ready", async (c) => {
      try {
        if (await isMigrated(database)) return c.json({ status: "ready" });
        return problemResponse({ status: 503, detail: "Migrations are pending." });
      } catch {
        return problemResponse({
          status: 503,
          detail: "The database is not reachable.",
          headers: { "Retry-After": "5" },
        });
      }
    });
}
