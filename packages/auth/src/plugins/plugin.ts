import type { Context, Hono, MiddlewareHandler } from "hono";
import type { PgTable } from "drizzle-orm/pg-core";
import type { AuthEnv, AuthState, SignedInEnv } from "../authenticator.js";
import type { Clock } from "../clock.js";
import type { Db } from "../db.js";
import type { AuthMigration } from "../migrations/migration.js";
import type { RetentionTask } from "../retention/retention.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { TableNamer } from "../schema/table-names.js";
import type { AuthHooks, ClientInfo } from "./hooks.js";

/** JSON values a plugin may put into the access token. */
export type ClaimValue =
  string | number | boolean | null | ClaimValue[] | { [key: string]: ClaimValue };

/** What a claims provider knows of the user when a token is minted (sign-in and reissue). */
export type ClaimsSubject = {
  userId: string;
  role: string;
  /** The user's extra fields (see the `userFields` option). */
  fields: Readonly<Record<string, unknown>>;
};

/**
 * Adds claims to every access token minted from now on; they come back in
 * `c.get("auth").claims`. Runs at sign-in and at each silent reissue, never on the hot path.
 */
export type ClaimsProvider = (
  subject: ClaimsSubject,
) => Record<string, ClaimValue> | Promise<Record<string, ClaimValue>>;

/** What `createAuth` hands a plugin's `setup`. */
export type PluginContext = {
  db: Db;
  clock: Clock;
  /** The core's tables, under the host's table prefix. */
  tables: CoreTables;
  /** The host's name for one of this plugin's tables: `tableName("notes")` → `auth_notes`. */
  tableName: TableNamer;
  /** The request's client address and user agent, as the core records them. */
  clientInfo(c: Context): ClientInfo;
  /** The signed-in user, or a 401 problem thrown. */
  signedIn(c: Context<AuthEnv>): AuthState;
  /** 401 problem+json unless signed in; after it `c.get("auth")` is never null. */
  requireAuth: MiddlewareHandler<SignedInEnv>;
};

/** What a plugin adds, once set up. Every part is optional. */
export type PluginParts = {
  /**
   * Routes mounted inside `auth.routes` (so under the host's auth path, behind the auth
   * middleware: `c.get("auth")`, CSRF check and `no-store` already applied).
   */
  routes?: Hono<AuthEnv>;
  hooks?: AuthHooks;
  claims?: ClaimsProvider;
  /**
   * Prune tasks for the plugin's own tables (expired codes, delivered outbox rows, old log
   * rows), run by the retention job after the core's, one small batch per transaction;
   * reported as `<plugin id>/<name>`. See `RetentionTask` and `deleteBatch`.
   */
  retention?: readonly RetentionTask[];
};

/**
 * A plugin: an id, the tables and migrations it owns, and a `setup` that returns its routes,
 * hooks and claims. See `docs/plugins.md`.
 *
 * @example
 * const hello = definePlugin({
 *   id: "hello",
 *   setup: ({ requireAuth }) => ({
 *     routes: new Hono<AuthEnv>().get("/hello", requireAuth, (c) =>
 *       c.json({ hello: c.get("auth").userId }),
 *     ),
 *   }),
 * });
 * const auth = await createAuth({ db, secret, plugins: [hello] });
 */
export type AuthPlugin = {
  /** Lower-case letters, digits and `-`; unique among the plugins of one `createAuth`. */
  id: string;
  /**
   * The plugin's drizzle tables under the host's naming, to check after migrating and to
   * catch two owners of one table name. Base names only through `name`.
   */
  tables?: (name: TableNamer, core: CoreTables) => Record<string, PgTable>;
  /** The plugin's SQL migrations, oldest first; applied by `migrateAuth`. */
  migrations?: readonly AuthMigration[];
  setup?: (context: PluginContext) => PluginParts | Promise<PluginParts>;
};

/** Identity, for type inference and a place to document a plugin. */
export function definePlugin<const Plugin extends AuthPlugin>(plugin: Plugin): Plugin {
  return plugin;
}
