import { Hono } from "hono";
import type { Database } from "@hybrid-auth/db";
import { problemContextResponse } from "@hybrid-auth/auth";
import { describeHealthRoute as docs } from "./openapi.js";
import { isAppMigrated } from "../db/migrate.js";

const NO_STORE = { "Cache-Control": "no-store" };

/** Liveness (no database) and readiness (database reachable and migrated). */
export function createHealthRoutes(database: Database) {
  return new Hono()
    .get("/health", docs.health, (c) => c.json({ status: "ok" }, 200, NO_STORE))
    .get("/ready", docs.ready, async (c) => {
      try {
        if (await isAppMigrated(database)) return c.json({ status: "ready" }, 200, NO_STORE);
        return problemContextResponse(c, {
          status: 503,
          detail: "Migrations are pending.",
          headers: { "Retry-After": "5" },
        });
      } catch {
        return problemContextResponse(c, {
          status: 503,
          detail: "The database is not reachable.",
          headers: { "Retry-After": "5" },
        });
      }
    });
}
