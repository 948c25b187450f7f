/**
 * `pnpm bench:scale`: the API past one process (issue 19), on a scratch PostgreSQL database.
 *
 *   workers  the production server with WEB_CONCURRENCY=1 and with WEB_CONCURRENCY=2 (two
 *            separate starts, same data), GET /api/health and the hot path GET /api/auth/session
 *            in alternating rounds: req/s, efficiency = rps(2) ÷ (2 × rps(1)), CPU per request
 *            of the whole process tree (workers.ts)
 *   fanout   --processes (8) separate API processes; --trials single-session log-outs on
 *            process 0, each timed until every other process refuses the token (fan-out.ts)
 *   burst    --burst-rate (1 000) revocations a second for --burst-seconds (10), probing the
 *            fan-out and sampling memory meanwhile, then --idle-seconds (30) of watching memory
 *            (burst.ts); once per --burst-via source: HTTP log-outs over every process, then
 *            the same revocations committed straight into PostgreSQL by pgbench (the fan-out
 *            alone: database-burst.ts)
 *
 * Sessions are real rows and real tokens without one argon2 check each (session-pool.ts).
 *
 * Options: --sessions=1000 --rounds=8 --seconds=3 --connections=50 --processes=8 --trials=50
 *          --poll-ms=1 --burst-seconds=10 --burst-rate=1000 --burst-sockets=4 --probe-every-ms=500
 *          --idle-seconds=30 --burst-via=logouts,database --only=workers,fanout,burst
 *          --no-write (print only).
 *          PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL, DATABASE_URL, else
 *          postgres://postgres@127.0.0.1:5432/postgres. Writes docs/bench/scale.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@hybrid-auth/db";
import { createScratchDatabase, reachable } from "../postgres.js";
import { repoRoot, startServer, type RunningServer } from "../server-process.js";
import { benchPostgresUrl } from "../setup.js";
import { measureBurst, type BurstResult } from "./burst.js";
import { pgbenchAvailable } from "./database-burst.js";
import { measureFanOut, type FanOutResult } from "./fan-out.js";
import { SCALE_SERVER_ENV, startFleet, stopAll } from "./fleet.js";
import { connectionBudget } from "./connection-budget.js";
import { describeMachine } from "./machine.js";
import { readScaleOptions } from "./options.js";
import { waitForChildren, waitUntilIdle } from "./process-tree.js";
import { printScaleReport } from "./report.js";
import { openSessionPool, type SessionPool } from "./session-pool.js";
import { measureWorkers, type WorkersResult } from "./workers.js";

/** Users the sessions are spread over (each one a real sign-up, one argon2 hash). */
const USERS = 8;

const options = readScaleOptions(process.argv);
if (
  options.parts.includes("burst") &&
  options.burstVia.includes("database") &&
  !pgbenchAvailable()
) {
  throw new Error("--burst-via=database needs pgbench (Debian: apt-get install postgresql)");
}

/** Lets freshly started servers finish starting (their CPU falls quiet) before any measuring. */
async function settle(servers: readonly RunningServer[]): Promise<void> {
  const { idle, waitedMs } = await waitUntilIdle(servers.map((server) => server.process.pid!));
  const how = idle ? "quiet" : "still busy (a loaded machine?)";
  console.log(`[start] ${servers.length} server(s) ${how} after ${(waitedMs / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const began = performance.now();
  if (!(await reachable(benchPostgresUrl))) {
    throw new Error(`PostgreSQL at ${benchPostgresUrl} is not reachable: the scale bench needs it`);
  }
  if (options.parts.includes("fanout") || options.parts.includes("burst")) {
    const budget = await connectionBudget(benchPostgresUrl, options.processes);
    console.log(
      `[postgres] ${budget.inUse} of ${budget.max} connections in use; ${options.processes} processes may want ${budget.wanted}`,
    );
    if (budget.free < budget.wanted) {
      console.warn(
        "[postgres] WARNING: not enough free connections for a burst: expect 503s (too many clients); " +
          "run when the server is quieter, or with fewer --processes / --burst-sockets",
      );
    }
  }
  const database = await createScratchDatabase(benchPostgresUrl, "bench_scale");
  const servers: RunningServer[] = [];
  let pool: SessionPool | undefined;
  const poolVia = async (serverUrl: string) =>
    (pool ??= await openSessionPool({
      serverUrl,
      databaseUrl: database.url,
      users: USERS,
      label: "scale",
    }));
  let workers: WorkersResult | undefined;
  let fanOut: FanOutResult | undefined;
  const bursts: BurstResult[] = [];
  try {
    if (options.parts.includes("workers")) {
      const env = { ...SCALE_SERVER_ENV, DATABASE_URL: database.url };
      const one = await startServer({ ...env, WEB_CONCURRENCY: "1" });
      servers.push(one);
      const two = await startServer({ ...env, WEB_CONCURRENCY: "2" });
      servers.push(two);
      await waitForChildren(two.process.pid!, 2, 30_000);
      await settle([one, two]);
      console.log(`[workers] opening ${options.sessions} sessions…`);
      const sessions = await (await poolVia(one.url)).open(options.sessions);
      console.log("[workers] 1 vs 2 workers…");
      workers = await measureWorkers({
        one,
        two,
        cookies: sessions.map((session) => session.both),
        rounds: options.rounds,
        seconds: options.seconds,
        connections: options.connections,
      });
      await stopAll(servers.splice(0));
    }
    if (options.parts.includes("fanout") || options.parts.includes("burst")) {
      console.log(`[fleet] starting ${options.processes} API processes…`);
      const fleet = await startFleet(database.url, options.processes);
      servers.push(...fleet);
      await settle(fleet);
      const urls = fleet.map((server) => server.url);
      const sessionPool = await poolVia(urls[0]!);
      if (options.parts.includes("fanout")) {
        console.log(`[fanout] ${options.trials} revocations…`);
        fanOut = await measureFanOut(urls, sessionPool, options);
      }
      if (options.parts.includes("burst")) {
        const observer = await openDatabase({ url: database.url, maxConnections: 1 });
        try {
          for (const via of options.burstVia) {
            console.log(`[burst] revocations via ${via}…`);
            bursts.push(
              await measureBurst({
                fleet,
                via,
                databaseUrl: database.url,
                pool: sessionPool,
                notifyQueueUsage: async () => {
                  const [row] = await observer.postgres!<{ usage: number }[]>`
                select pg_notification_queue_usage() as usage`;
                  return Number(row!.usage);
                },
                rate: options.burstRate,
                seconds: options.burstSeconds,
                probeEveryMs: options.probeEveryMs,
                pollMs: options.pollMs,
                idleSeconds: options.idleSeconds,
                socketsPerServer: options.burstSockets,
              }),
            );
          }
        } finally {
          await observer.close();
        }
      }
    }
  } finally {
    await stopAll(servers).catch(() => {});
    await (pool as SessionPool | undefined)?.close().catch(() => {});
    await database.drop().catch(() => {});
  }
  printScaleReport({ workers, fanOut, bursts });
  const seconds = Math.round((performance.now() - began) / 1000);
  console.log(`\nscale bench finished in ${seconds} s`);
  if (!options.write) return;
  const outDir = join(repoRoot, "docs/bench");
  mkdirSync(outDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    machine: describeMachine(benchPostgresUrl),
    method: {
      database: "PostgreSQL (scratch database)",
      loadGenerator: "autocannon in its own process, on the same cores as the servers",
      sessionSource:
        "real rows (insertSession) and tokens (AccessTokenService), no argon2 per session",
      ...options,
      runSeconds: seconds,
    },
    workers,
    fanOut,
    bursts,
  };
  writeFileSync(join(outDir, "scale.json"), `${JSON.stringify(json, null, 2)}\n`);
  console.log("wrote docs/bench/scale.json");
}

await main();
