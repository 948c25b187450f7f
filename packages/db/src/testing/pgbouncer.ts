import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, chmodSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { pgbouncerBinary, runningInCi } from "./env.js";
import { freePort } from "./free-port.js";

/** A PgBouncer in transaction mode in front of a PostgreSQL server, started by a test. */
export type PgBouncer = {
  /** The pooler's port on 127.0.0.1. */
  readonly port: number;
  /** Server connections per database and user: fewer than the clients a test opens. */
  readonly poolSize: number;
  /** `directUrl` (a database on the server behind), through the pooler instead. */
  urlFor(directUrl: string): string;
  /** The admin console (`SHOW POOLS`, `SHOW CONFIG`: simple queries only). */
  readonly adminUrl: string;
  /** `SHOW <what>` on the admin console: `show("config")`, `show("pools")`. */
  show(what: string): Promise<Record<string, unknown>[]>;
  /** What PgBouncer logged so far (for a failing test's message). */
  log(): string;
  stop(): Promise<void>;
};

/**
 * Why the PgBouncer tests cannot run here (`undefined` when they can). Locally a missing
 * binary skips them with this reason; in CI (`CI=true`) it is an error: CI installs Debian's
 * `pgbouncer` package, and its tests must run.
 *
 * @example
 * const missing = pgbouncerMissing();
 * describe.skipIf(!testDatabaseUrl() || missing !== undefined)("through PgBouncer", () => { … });
 */
export function pgbouncerMissing(): string | undefined {
  try {
    accessSync(pgbouncerBinary(), constants.X_OK);
    return undefined;
  } catch {
    const reason = `${pgbouncerBinary()} is not installed (apt-get install pgbouncer)`;
    if (runningInCi()) throw new Error(`CI must run the PgBouncer tests: ${reason}`);
    return reason;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** A PgBouncer config file's quoting: `"name" "password"` lines of the auth file. */
const quoted = (value: string) => `"${value.replace(/"/g, '""')}"`;

/**
 * Starts `/usr/sbin/pgbouncer` in front of the server of `serverUrl` with a generated
 * configuration in a temporary directory: `pool_mode = transaction`, `poolSize` server
 * connections per database (5) so that clients really share them, trust authentication
 * towards the clients and the URL's user (and password) towards the server. As root it runs
 * as `nobody` (PgBouncer refuses to run as root). Resolves once it accepts connections.
 *
 * @example
 * const pooler = await startPgBouncer({ serverUrl: testDatabaseUrl()! });
 * const url = pooler.urlFor(database.url!); // the same database, through the pooler
 * await pooler.stop();
 */
export async function startPgBouncer(options: {
  serverUrl: string;
  poolSize?: number;
}): Promise<PgBouncer> {
  const server = new URL(options.serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const password = decodeURIComponent(server.password);
  const poolSize = options.poolSize ?? 5;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pgbouncer-"));
  // PgBouncer runs as `nobody` under root: it must read the files and write its log here.
  chmodSync(dir, 0o777);
  const logFile = join(dir, "pgbouncer.log");
  const authFile = join(dir, "userlist.txt");
  writeFileSync(authFile, `${quoted(user)} ${quoted(password)}\n`, { mode: 0o644 });
  const ini = [
    "[databases]",
    `* = host=${server.hostname.replace(/^\[|\]$/g, "")} port=${server.port || 5432}`,
    "[pgbouncer]",
    "listen_addr = 127.0.0.1",
    `listen_port = ${port}`,
    "unix_socket_dir =",
    "auth_type = trust",
    `auth_file = ${authFile}`,
    `admin_users = ${user}`,
    "pool_mode = transaction",
    `default_pool_size = ${poolSize}`,
    "max_client_conn = 500",
    // A client waiting for a server connection longer than this is refused, not left hanging.
    "query_wait_timeout = 20",
    `logfile = ${logFile}`,
    `pidfile = ${join(dir, "pgbouncer.pid")}`,
  ].join("\n");
  const iniFile = join(dir, "pgbouncer.ini");
  writeFileSync(iniFile, `${ini}\n`, { mode: 0o644 });
  const asRoot = process.getuid?.() === 0;
  const child: ChildProcess = spawn(
    pgbouncerBinary(),
    asRoot ? ["-u", "nobody", iniFile] : [iniFile],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const log = () => {
    let file = "";
    try {
      file = readFileSync(logFile, "utf8");
    } catch {
      // not written yet
    }
    return `${output}${file}`;
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  for (let attempt = 0; !(await accepts(port)); attempt += 1) {
    if (child.exitCode !== null || attempt > 200) {
      const why = log();
      await stop();
      throw new Error(`PgBouncer did not start:\n${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const through = (database: string) => {
    const url = new URL(options.serverUrl);
    url.hostname = "127.0.0.1";
    url.port = String(port);
    url.pathname = `/${database}`;
    return url.toString();
  };
  return {
    port,
    poolSize,
    urlFor: (directUrl) => through(new URL(directUrl).pathname.slice(1)),
    adminUrl: through("pgbouncer"),
    async show(what) {
      if (!/^[a-z_]+$/.test(what)) throw new Error(`not a SHOW command: ${what}`);
      // The console answers simple queries only: no type lookup at connect, no parameters.
      const console = postgres(through("pgbouncer"), {
        max: 1,
        fetch_types: false,
        onnotice: () => {},
      });
      try {
        return [...(await console.unsafe<Record<string, unknown>[]>(`show ${what}`))];
      } finally {
        await console.end();
      }
    },
    log,
    stop,
  };
}
