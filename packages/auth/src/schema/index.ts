/**
 * The package's tables as drizzle objects, for a host's queries and foreign keys (a host's
 * own tables may reference `users.id`). The package creates them itself (`migrateAuth`):
 * do not add this module to drizzle-kit's `schema` list.
 *
 * The named exports use the default, unprefixed names; with a `tablePrefix`, build the same
 * tables with `createCoreTables(prefix)` and `securityEventsTable`.
 */
import { securityEventsTable } from "../plugins/security-events/table.js";
import { createCoreTables } from "./core-tables.js";
import { tableNamer } from "./table-names.js";

export { createCoreTables, type CoreTables, type UserRow, type SessionRow } from "./core-tables.js";
export { securityEventsTable, SECURITY_EVENT_TYPES } from "../plugins/security-events/table.js";
export type { SecurityEventType } from "../plugins/security-events/table.js";

const core = createCoreTables();
export const { users, sessions, revocationEvents, rateLimits } = core;
/** The security-events plugin's table, default name. */
export const securityEvents = securityEventsTable(tableNamer(""), core);
