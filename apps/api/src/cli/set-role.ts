import {
  createAuth,
  createPostgresRevocationTransport,
  inProcessTransport,
  ProblemError,
} from "@hybrid-auth/auth";
import { DataDirLockedError, openDatabase, type Database } from "@hybrid-auth/db";
import { APP_ROLES, appAuthPlugins } from "../auth-plugins.js";
import { ConfigError, loadConfig } from "../config.js";
import { databaseOptions } from "../db/database-options.js";
import { isAppMigrated } from "../db/migrate.js";

const USAGE = "usage: pnpm auth:set-role <email> <role>";

/** What acted, in the audit log and the user's activity. */
const ACTOR = { userId: null, description: "pnpm auth:set-role", client: null } as const;

export type Output = { out: (line: string) => void; err: (line: string) => void };

/**
 * `pnpm auth:set-role <email> <role>`: gives an account a role on the configured database
 * (the same environment as the server: `DATABASE_URL`, or the embedded database in
 * `DATA_DIR`). On PostgreSQL the running servers apply it at the user's next request; the
 * embedded database is refused while a server holds it. The change goes through `auth.admin`,
 * so the rails (declared roles, the last administrator) and the audit log apply. Resolves to
 * the exit code.
 *
 * @example
 * const code = await setRole(["ada@example.com", "admin"], undefined, { out: console.log, err: console.error });
 */
export async function setRole(
  args: readonly string[],
  /** The environment to read the configuration from (default: the process's). */
  env: Record<string, string | undefined> | undefined,
  output: Output,
): Promise<number> {
  const [email, role, ...rest] = args;
  if (!email || !role || rest.length > 0) {
    output.err(USAGE);
    return 2;
  }
  if (!APP_ROLES.isRole(role)) {
    output.err(`"${role}" is not a role: use one of ${APP_ROLES.roles.join(", ")}.`);
    return 2;
  }
  let database: Database;
  try {
    const config = loadConfig(env, (message) => output.err(`warning: ${message}`));
    database = await openDatabase(databaseOptions(config, { maxConnections: 2 }));
    try {
      return await setRoleOn(database, config.auth.secret, email, role, output);
    } finally {
      await database.close();
    }
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      output.err(
        `${error.message}\nThe embedded database belongs to one process: stop the server ` +
          `(pnpm start / pnpm dev), run this command, then start it again.`,
      );
      return 1;
    }
    if (error instanceof ConfigError) {
      output.err(error.message);
      return 1;
    }
    throw error;
  }
}

async function setRoleOn(
  database: Database,
  secret: string,
  email: string,
  role: string,
  output: Output,
): Promise<number> {
  if (!(await isAppMigrated(database))) {
    output.err(
      "The database has no accounts yet: start the app (pnpm start), sign up, then run this again.",
    );
    return 1;
  }
  // On PostgreSQL the revocation travels to the running servers over NOTIFY.
  const revocationTransport = database.listener
    ? createPostgresRevocationTransport(database.listener)
    : inProcessTransport;
  const auth = await createAuth({
    db: database.db,
    secret,
    plugins: appAuthPlugins(),
    revocationTransport,
    retention: { autoStart: false },
  });
  try {
    const user = await auth.admin.findUserByEmail(email);
    if (!user) {
      output.err(`No account uses ${email.trim()}: sign up first (or check the address).`);
      return 1;
    }
    if (user.role === role) {
      output.out(`${user.email} already has the ${role} role.`);
      return 0;
    }
    await auth.admin.setRole(user.id, role, ACTOR);
    output.out(
      `${user.email} is now ${role} (was ${user.role}).` +
        (user.disabled ? " The account is disabled: enable it from the admin console." : ""),
    );
    return 0;
  } catch (error) {
    if (error instanceof ProblemError) {
      output.err(error.problem.detail ?? "The change was refused.");
      return 1;
    }
    throw error;
  } finally {
    await auth.close();
  }
}
