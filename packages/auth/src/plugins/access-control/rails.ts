import { and, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import { ProblemError } from "../../http/problem.js";
import { validationError } from "../../http/problem.js";
import type { CoreTables } from "../../schema/core-tables.js";
import type { TableNamer } from "../../schema/table-names.js";
import type { AdminActor, AuthHookEvents, AuthHooks } from "../hooks.js";
import { outranked } from "./guards.js";
import type { RoleSet } from "./roles.js";

/** The type of the 409 that would leave the application without an administrator. */
export const LAST_ADMIN_TYPE = "/problems/last-admin";

/** The 422 of a role the host did not declare (`/role` of the admin endpoint's body). */
export const undeclaredRole = (roles: RoleSet) =>
  validationError([{ pointer: "/role", detail: `must be one of: ${roles.roles.join(", ")}` }]);

const lastAdmin = (detail: string) =>
  new ProblemError({ status: 409, type: LAST_ADMIN_TYPE, title: "Last administrator", detail });

/**
 * The rails of every administrative change, whoever makes it (the admin console, `auth.admin`,
 * the command line, an owner deleting their own account), enforced in the change's own
 * transaction with the target's row locked, so a refusal rolls the whole change back:
 * - a role must be declared;
 * - an administrator acting as a person (`actor.role`) grants only roles they hold all of, and
 *   changes only users whose role they hold all of;
 * - the last enabled administrator (a role holding every permission) can be neither demoted,
 *   disabled nor deleted.
 */
export function railHooks(
  roles: RoleSet,
  db: { tables: CoreTables; tableName: TableNamer },
): AuthHooks {
  const { users } = db.tables;
  // One lock for every change that could remove an administrator: two administrators
  // demoting each other at once are serialised, and the second one sees the first's commit.
  const lockKey = `hybrid-auth:last-admin:${db.tableName("users")}`;

  /** Whether another enabled administrator than `userId` remains, once the lock is held. */
  async function anotherAdmin(tx: Db | Tx, userId: string): Promise<boolean> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${lockKey}))`);
    const [row] = await tx
      .select({ id: users.id })
      .from(users)
      .where(
        and(
          inArray(users.role, [...roles.fullRoles]),
          isNull(users.disabledAt),
          ne(users.id, userId),
        ),
      )
      .limit(1);
    return row !== undefined;
  }

  const wasAdmin = (before: { role: string; disabled: boolean }) =>
    !before.disabled && roles.isFull(before.role);

  function assertActorCovers(actor: AdminActor | undefined, targetRole: string): void {
    if (actor?.role === undefined) return;
    if (!roles.covers(actor.role, targetRole)) {
      throw outranked(`This user's role (${targetRole}) has permissions yours does not.`);
    }
  }

  async function userUpdated(event: AuthHookEvents["userUpdated"], tx: Db | Tx): Promise<void> {
    const { change, before, actor } = event;
    assertActorCovers(actor, before.role);
    if ("role" in change) {
      if (!roles.isRole(change.role)) throw undeclaredRole(roles);
      if (actor.role !== undefined && !roles.covers(actor.role, change.role)) {
        throw outranked(
          `You cannot grant the ${change.role} role: it has permissions yours does not.`,
        );
      }
      if (
        wasAdmin(before) &&
        !roles.isFull(change.role) &&
        !(await anotherAdmin(tx, event.userId))
      ) {
        throw lastAdmin("This is the last administrator: make someone else one first.");
      }
    } else if (change.disabled && wasAdmin(before) && !(await anotherAdmin(tx, event.userId))) {
      throw lastAdmin("The last administrator cannot be disabled: make someone else one first.");
    }
  }

  async function userDeleted(event: AuthHookEvents["userDeleted"], tx: Db | Tx): Promise<void> {
    const [row] = await tx
      .select({ role: users.role, disabledAt: users.disabledAt })
      .from(users)
      .where(eq(users.id, event.userId));
    if (!row) return;
    assertActorCovers(event.actor, row.role);
    const before = { role: row.role, disabled: row.disabledAt !== null };
    if (wasAdmin(before) && !(await anotherAdmin(tx, event.userId))) {
      throw lastAdmin("The last administrator cannot be deleted: make someone else one first.");
    }
  }

  return { userUpdated, userDeleted };
}
