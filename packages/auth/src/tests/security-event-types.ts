import { eq } from "drizzle-orm";
import type { Db } from "../db.js";
import { createCoreTables } from "../schema/core-tables.js";
import { tableNamer } from "../schema/table-names.js";
import { securityEventsTable } from "../plugins/security-events/table.js";

const events = securityEventsTable(tableNamer(""), createCoreTables());

/**
 * The types of a user's security events, oldest first (tests of plugins that record them).
 *
 * @example
 * expect(await securityEventTypes(host.database.db, user.id)).toContain("identity_linked");
 */
export async function securityEventTypes(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .select({ type: events.type })
    .from(events)
    .where(eq(events.userId, userId))
    .orderBy(events.id);
  return rows.map((row) => row.type);
}
