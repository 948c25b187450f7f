/** A role's name: lower-case letters, digits, `-` and `_`, starting with a letter. */
const ROLE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
/** A permission: `resource:action`, e.g. `users:read`. */
const PERMISSION_NAME = /^[a-z][a-z0-9_-]{0,31}:[a-z][a-z0-9_-]{0,31}$/;

/** The role every new account gets (the `users.role` column's default). */
export const DEFAULT_ROLE = "user";

/** The permissions the admin console's routes need. */
export const ADMIN_PERMISSIONS = ["users:read", "users:write", "sessions:revoke"] as const;
export type AdminPermission = (typeof ADMIN_PERMISSIONS)[number];

/**
 * The roles of an application and what each may do: role → permissions, declared once and
 * typed, so `requirePermission("users:wirte")` is a compile error. Checked eagerly: names,
 * the `user` role every new account starts with, and at least one role holding every
 * permission (an administrator, whom the last-admin rail keeps).
 *
 * @example
 * const roles = defineRoles({
 *   user: [],
 *   editor: ["posts:write"],
 *   admin: ["posts:write", "users:read", "users:write", "sessions:revoke"],
 * });
 * const access = accessControl({ roles });
 * app.post("/posts", auth.middleware, access.requirePermission("posts:write"), createPost);
 */
export function defineRoles<const Declared extends Record<string, readonly string[]>>(
  declared: Declared,
): RoleSet<Extract<keyof Declared, string>, Declared[keyof Declared][number]> {
  return new RoleSet(declared as Record<string, readonly string[]>) as RoleSet<
    Extract<keyof Declared, string>,
    Declared[keyof Declared][number]
  >;
}

/**
 * A declared set of roles (see `defineRoles`). Unknown roles (a role dropped from the
 * declaration while tokens still carry it) hold no permission.
 */
export class RoleSet<Role extends string = string, Permission extends string = string> {
  /** Every role, in declaration order. */
  readonly roles: readonly Role[];
  /** Every permission some role holds, in declaration order. */
  readonly permissions: readonly Permission[];
  /** The roles that hold every permission: the administrators. */
  readonly fullRoles: readonly Role[];
  readonly #grants: ReadonlyMap<string, ReadonlySet<string>>;

  constructor(declared: Record<string, readonly string[]>) {
    if (typeof declared !== "object" || declared === null || Array.isArray(declared)) {
      throw new TypeError("defineRoles expects an object of role → permissions");
    }
    const grants = new Map<string, ReadonlySet<string>>();
    const permissions = new Set<string>();
    for (const [role, granted] of Object.entries(declared)) {
      if (!ROLE_NAME.test(role)) {
        throw new RangeError(
          `defineRoles: "${role}" is not a role name (lower-case letters, digits, - and _)`,
        );
      }
      if (!Array.isArray(granted)) {
        throw new TypeError(`defineRoles: the permissions of "${role}" must be an array`);
      }
      for (const permission of granted) {
        if (typeof permission !== "string" || !PERMISSION_NAME.test(permission)) {
          throw new RangeError(
            `defineRoles: "${String(permission)}" of "${role}" is not a permission (resource:action)`,
          );
        }
        permissions.add(permission);
      }
      grants.set(role, new Set(granted));
    }
    if (!grants.has(DEFAULT_ROLE)) {
      throw new RangeError(
        `defineRoles: the "${DEFAULT_ROLE}" role (every new account's) is missing`,
      );
    }
    this.roles = [...grants.keys()] as Role[];
    this.permissions = [...permissions] as Permission[];
    this.fullRoles = this.roles.filter((role) => grants.get(role)!.size === permissions.size);
    if (permissions.size === 0 || this.fullRoles.length === 0) {
      throw new RangeError("defineRoles: one role must hold every permission (an administrator)");
    }
    this.#grants = grants;
  }

  /** Whether `role` is declared. */
  isRole(role: string): role is Role {
    return this.#grants.has(role);
  }

  /** The permissions of `role`, in declaration order (none for an unknown role). */
  permissionsOf(role: string): Permission[] {
    const granted = this.#grants.get(role);
    return granted ? this.permissions.filter((permission) => granted.has(permission)) : [];
  }

  /** Whether `role` holds `permission`. */
  can(role: string, permission: Permission): boolean {
    return this.#grants.get(role)?.has(permission) ?? false;
  }

  /** Whether `role` holds every permission (an administrator). */
  isFull(role: string): boolean {
    return (this.fullRoles as readonly string[]).includes(role);
  }

  /**
   * Whether `actorRole` holds every permission of `role`: what it takes to grant `role`, or
   * to act on a user who has it.
   */
  covers(actorRole: string, role: string): boolean {
    const actor = this.#grants.get(actorRole);
    const target = this.#grants.get(role);
    if (!actor) return false;
    if (!target) return true; // an unknown role holds nothing
    for (const permission of target) if (!actor.has(permission)) return false;
    return true;
  }

  /** The roles `actorRole` may grant, in declaration order. */
  assignableBy(actorRole: string): Role[] {
    return this.roles.filter((role) => this.covers(actorRole, role));
  }
}

/** `user` (no permission), `manager` (read users, sign them out), `admin` (everything). */
export const DEFAULT_ROLES = defineRoles({
  user: [],
  manager: ["users:read", "sessions:revoke"],
  admin: ["users:read", "users:write", "sessions:revoke"],
});
