import { Hono } from "hono";
import { lt } from "drizzle-orm";
import type { AuthEnv } from "../../authenticator.js";
import { deleteBatch } from "../../retention/prune.js";
import type { AuthHooks } from "../hooks.js";
import { assertKnownOptions } from "../options.js";
import { definePlugin, type PluginContext } from "../plugin.js";
import { auditHooks } from "./audit.js";
import { adminAuditTable } from "./audit-table.js";
import { permissionGuard, roleGuard } from "./guards.js";
import { ACCESS_CONTROL_MIGRATIONS } from "./migrations.js";
import { adminRouteDocs } from "./openapi.js";
import { railHooks } from "./rails.js";
import { DEFAULT_ROLES, type AdminPermission, type RoleSet } from "./roles.js";
import { adminRoutes } from "./routes.js";
import { targetActivityReader } from "./target-activity.js";

export { ADMIN_PERMISSIONS, DEFAULT_ROLE, DEFAULT_ROLES, defineRoles, RoleSet } from "./roles.js";
export type { AdminPermission } from "./roles.js";
export type { AdminUserView } from "./directory.js";
export { FORBIDDEN_TYPE } from "./guards.js";
export { LAST_ADMIN_TYPE } from "./rails.js";
export { ADMIN_ACTIONS, adminAuditTable, type AdminAction } from "./audit-table.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export type AccessControlOptions<Role extends string, Permission extends string> = {
  /** The roles and their permissions (`defineRoles`); default `DEFAULT_ROLES`. */
  roles?: RoleSet<Role, Permission>;
  /** Days an audit row is kept (365); the retention job deletes older ones. */
  auditRetentionDays?: number;
};

/** Both the hooks of the rails and of the audit, rails first (a refusal writes nothing). */
function combine(first: AuthHooks, second: AuthHooks): AuthHooks {
  const combined: Record<string, (event: never, tx: never) => Promise<void>> = {};
  for (const name of new Set([...Object.keys(first), ...Object.keys(second)])) {
    const a = first[name as keyof AuthHooks] as ((e: never, tx: never) => unknown) | undefined;
    const b = second[name as keyof AuthHooks] as ((e: never, tx: never) => unknown) | undefined;
    combined[name] = async (event, tx) => {
      await a?.(event, tx);
      await b?.(event, tx);
    };
  }
  return combined as AuthHooks;
}

/**
 * Role-based access control and the admin console's API, as a plugin:
 * - `requirePermission(...)` / `requireRole(...)`: middleware that answers 403 problem+json,
 *   from the role in the access token alone (no database query);
 * - `GET <auth path>/permissions`: the signed-in user's role, permissions and grantable roles;
 * - the admin routes, mounted by the host: `app.route("/api/admin", auth.mount("admin"))`;
 * - rails on every administrative change (declared roles only; no granting beyond one's own
 *   role; the last administrator stays) and an audit row for each, naming actor and target.
 *
 * @example
 * const access = accessControl({ roles: DEFAULT_ROLES });
 * const auth = await createAuth({ db, secret, plugins: [securityEvents(), access] });
 * app.route("/api/admin", auth.mount("admin"));
 * app.delete("/api/products/:id", auth.middleware, access.requirePermission("products:write"), remove);
 */
export function accessControl<
  Role extends string = (typeof DEFAULT_ROLES.roles)[number],
  Permission extends string = AdminPermission,
>(options: AccessControlOptions<Role, Permission> = {}) {
  assertKnownOptions("access-control", options, ["roles", "auditRetentionDays"]);
  const roles = (options.roles ?? DEFAULT_ROLES) as unknown as RoleSet<Role, Permission>;
  if (!(roles instanceof Object) || typeof roles.can !== "function") {
    throw new TypeError("accessControl({ roles }) must come from defineRoles(...)");
  }
  const keepDays = options.auditRetentionDays ?? 365;
  if (!Number.isInteger(keepDays) || keepDays < 1 || keepDays > 36500) {
    throw new RangeError(
      "accessControl({ auditRetentionDays }) must be an integer from 1 to 36500",
    );
  }
  const plugin = definePlugin({
    id: "access-control",
    migrations: ACCESS_CONTROL_MIGRATIONS,
    tables: (name, core) => ({ adminAudit: adminAuditTable(name, core) }),
    setup: (context: PluginContext) => {
      const audit = adminAuditTable(context.tableName, context.tables);
      const activityOf = context.pluginIds.includes("security-events")
        ? targetActivityReader(context.tableName, context.tables)
        : undefined;
      const anyRoles = roles as unknown as RoleSet<string, string>;
      return {
        hooks: combine(
          railHooks(anyRoles, context),
          auditHooks(audit, context.tables, context.clock),
        ),
        routes: new Hono<AuthEnv>().get(
          "/permissions",
          adminRouteDocs.permissions,
          context.requireAuth,
          (c) => {
            const { role } = c.get("auth");
            return c.json({
              role,
              permissions: anyRoles.permissionsOf(role),
              assignableRoles: anyRoles.assignableBy(role),
            });
          },
        ),
        mounts: { admin: adminRoutes({ context, roles: anyRoles, audit, activityOf }) },
        retention: [
          {
            name: "audit-window",
            prune: ({ tx, nowMs, limit }) =>
              deleteBatch(
                tx,
                audit,
                audit.id,
                lt(audit.createdAt, new Date(nowMs - keepDays * DAY_MS)),
                limit,
              ),
          },
        ],
      };
    },
  });
  return Object.assign(plugin, {
    /** The declared roles. */
    roles,
    /**
     * Middleware: 403 problem+json unless the token's role holds every permission named
     * (401 when signed out). After `auth.middleware`; no database query.
     */
    requirePermission: (...permissions: [Permission, ...Permission[]]) =>
      permissionGuard(roles, permissions),
    /** Middleware: 403 unless the token's role is one of `allowed`. */
    requireRole: (...allowed: [Role, ...Role[]]) => roleGuard(allowed),
  });
}
