import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@hybrid-auth/db/testing";

export const repoRoot = fileURLToPath(new URL("../../..", import.meta.url));

export const BENCH_SECRET = "bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

export type RunningServer = {
  url: string;
  process: ChildProcess;
  /** The data directory (embedded PGlite keeps `pglite/` in it). */
  dataDir: string;
  /** Peak resident set size of the server process so far (Linux `VmHWM`), in MiB. */
  peakRssMb(): number | undefined;
  /** Current resident set size (Linux `VmRSS`), in MiB. */
  rssMb(): number | undefined;
  /** CPU time the process has used so far (Linux, user + system, all its threads), in s. */
  cpuSeconds(): number | undefined;
  stop(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
};

const running = new Set<ChildProcess>();
// Never leave a server behind, whatever way the bench ends.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** utime + stime of /proc/<pid>/stat, in clock ticks (100 per second on Linux). */
function cpuTicks(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function statusField(pid: number | undefined, field: string): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

const PRODUCTION_ENTRY = "apps/api/dist/index.js";
let built = false;

/** `pnpm build` (incremental), once per process, before the first production server. */
function buildOnce(): void {
  if (built) return;
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: repoRoot, stdio: "inherit" });
  built = true;
}

/**
 * Starts the production server (`pnpm start`'s entry) in its own process, or another entry
 * (`script`, relative to the repository root) that prints "listening on" when ready.
 */
export async function startServer(
  env: Record<string, string> = {},
  options: {
    script?: string;
    dataDir?: string;
    timeoutMs?: number;
    nodeArgs?: string[];
    /** CPUs the server may use (Linux `taskset -c` list, e.g. "0"). */
    cpus?: string;
    /** A command that runs the server, e.g. `["valgrind", "--tool=callgrind"]`. */
    wrapper?: readonly string[];
  } = {},
): Promise<RunningServer> {
  const port = await freePort();
  // A directory made here is removed on stop(); one passed in (a restart test) is the caller's.
  const ownsDataDir = options.dataDir === undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "bench-"));
  // The production server is the compiled JavaScript `pnpm start` runs.
  if (options.script === undefined) buildOnce();
  // A `.js` script runs as it is; a TypeScript one through tsx.
  const entry = options.script?.endsWith(".js")
    ? [options.script]
    : options.script
      ? ["--conditions=@hybrid-auth/source", "--import", "tsx", options.script]
      : [PRODUCTION_ENTRY];
  const nodeArgs = [...(options.nodeArgs ?? []), ...entry];
  // `taskset -c <cpus>`: the server (all its threads) may run on these CPUs only.
  const wrapped = [...(options.wrapper ?? []), process.execPath, ...nodeArgs];
  const [command, ...args] = options.cpus ? ["taskset", "-c", options.cpus, ...wrapped] : wrapped;
  const child = spawn(command!, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: "production",
      AUTH_SECRET: BENCH_SECRET,
      // Production needs a key of its own for second-factor secrets.
      AUTH_ENCRYPTION_KEYS: "YmVuY2gtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
      // Production needs a mail server; these harnesses read no mail. Port 9 refuses at once:
      // mail waits in the outbox, as it would while a real server is down.
      SMTP_URL: "smtp://127.0.0.1:9",
      DATA_DIR: dataDir,
      LOG_LEVEL: "error",
      HOST: "127.0.0.1",
      PORT: String(port),
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  running.add(child);
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      running.delete(child);
      resolve();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error("server did not start in time")),
        options.timeoutMs ?? 60_000,
      );
      void exited.then(() => reject(new Error(`server exited with ${child.exitCode}`)));
      let seen = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes("listening on")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    dataDir,
    peakRssMb: () => statusField(child.pid, "VmHWM"),
    rssMb: () => statusField(child.pid, "VmRSS"),
    cpuSeconds: () => {
      const ticks = cpuTicks(child.pid);
      return ticks === undefined ? undefined : ticks / 100;
    },
    stop: async () => {
      const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await signal("SIGTERM");
      clearTimeout(force);
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    kill: (name = "SIGKILL") => signal(name),
  };
}
