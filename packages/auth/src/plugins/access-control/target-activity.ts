import { alias } from "drizzle-orm/pg-core";
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db.js";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";
import { describeDevice } from "../../sessions/device.js";
import { securityEventsTable } from "../security-events/table.js";

/** How many of a user's newest security events their admin page shows. */
export const EVENTS_SHOWN = 50;

/**
 * A user's newest security events (when the security-events plugin records them), each with
 * the administrator who caused it, if one did.
 */
export function targetActivityReader(name: TableNamer, core: CoreTables) {
  const events = securityEventsTable(name, core);
  const actors = alias(core.users, "actor");
  return async (db: Db, userId: string) => {
    const rows = await db
      .select({
        id: events.id,
        type: events.type,
        createdAt: events.createdAt,
        ip: events.ip,
        userAgent: events.userAgent,
        actorId: events.actorId,
        actorEmail: actors.email,
      })
      .from(events)
      .leftJoin(actors, eq(actors.id, events.actorId))
      .where(eq(events.userId, userId))
      .orderBy(desc(events.createdAt), desc(events.id))
      .limit(EVENTS_SHOWN);
    return rows.map((row) => ({
      id: String(row.id),
      type: row.type,
      createdAt: row.createdAt.toISOString(),
      ip: row.ip,
      device: describeDevice(row.userAgent).label,
      actor: row.actorId === null ? null : { id: row.actorId, email: row.actorEmail },
    }));
  };
}
