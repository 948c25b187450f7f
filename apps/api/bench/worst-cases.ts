/**
 * `pnpm bench:worst`: the hot path where its figures are weakest (issue 19).
 *
 * 1. **Cache misses.** `pnpm bench`'s hot path rides on the verified-token cache (10 000
 *    entries) with 1 000 sessions. Here the production server on a scratch PostgreSQL
 *    database gets SESSIONS_MANY (50 000) real sessions (rows by the library's own
 *    `insertSession`, tokens by its own token service: scale/session-pool.ts), and the hot
 *    path is loaded in short alternating pairs with 1 000 of them (every token cached) and
 *    with all 50 000. Every connection walks the list in order, so a token comes back only
 *    after ~50 000 others and the 10 000-entry cache (oldest out first) never holds it: every
 *    request of the second variant is a miss — an HMAC, a JSON parse and the revocation
 *    check, still no database. Prints req/s, CPU µs per request, and what a miss costs.
 * 2. **After idle.** A run whose rounds followed ~40 s of the server sitting idle measured the
 *    hot path ~40 % slower every other round. Here the same server sits idle IDLE_SECONDS,
 *    then serves ROUNDS_AFTER_IDLE back-to-back rounds, CYCLES times: the first round after
 *    the pause against the later ones, in req/s and CPU µs per request.
 *
 * Options: --many=50000 --few=1000 --pairs=12 --seconds=2 --connections=50
 *          --idle-seconds=40 --cycles=3 --rounds-after-idle=4 --only=misses|idle --no-write
 *          --server-node-args=--no-flush-bytecode (flags for the server's node, comma-separated).
 * Writes docs/bench/worst-cases.json unless --no-write.
 */
import { writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { median, runLoadOn, type Sample } from "./load.js";
import { alternatingPairs, spread, type RatioSpread } from "./paired-runs.js";
import { createScratchDatabase } from "./postgres.js";
import { openSessionPool } from "./scale/session-pool.js";
import { repoRoot, startServer, type RunningServer } from "./server-process.js";
import { benchPostgresUrl, flag } from "./setup.js";

const MANY = Number(flag("many", "50000"));
const FEW = Number(flag("few", "1000"));
const PAIRS = Number(flag("pairs", "12"));
const SECONDS = Number(flag("seconds", "2"));
const CONNECTIONS = Number(flag("connections", "50"));
const IDLE_SECONDS = Number(flag("idle-seconds", "40"));
const CYCLES = Number(flag("cycles", "3"));
const ROUNDS_AFTER_IDLE = Number(flag("rounds-after-idle", "4"));
const ONLY = flag("only", "");
const WRITE = !process.argv.includes("--no-write");
/** Extra flags for the server's `node` (e.g. `--no-flush-bytecode`), comma-separated. */
const SERVER_NODE_ARGS = flag("server-node-args", "").split(",").filter(Boolean);

/** AUTH_ACCESS_TTL's maximum: every token of the run stays valid for its hour. */
const ACCESS_TTL_SECONDS = 3600;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (value: number | undefined, digits = 0) =>
  value === undefined ? "?" : value.toLocaleString("en-US", { maximumFractionDigits: digits });

type MissResult = {
  fewSessions: number;
  manySessions: number;
  few: { rps: number; cpuUs: number | undefined };
  many: { rps: number; cpuUs: number | undefined };
  /** Per pair: req/s with every token missing the cache ÷ req/s with every token cached. */
  manyOverFew: RatioSpread;
  /** CPU µs per request, all misses minus all hits: what a miss costs. */
  missCostUs: number | undefined;
  pairs: { few: Sample; many: Sample }[];
};

async function cacheMisses(server: RunningServer, few: string[], many: string[]) {
  const load = (cookies: string[]) => () =>
    runLoadOn(server, {
      url: `${server.url}/api/auth/session`,
      cookies,
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
  console.log(`[misses] ${PAIRS} pairs of ${SECONDS} s: ${FEW} sessions vs ${MANY}…`);
  const pairs = (await alternatingPairs(load(few), load(many), PAIRS)).map(({ a, b }) => ({
    few: a,
    many: b,
  }));
  const bad = pairs.reduce((n, p) => n + p.few.non2xx + p.many.non2xx + p.few.errors, 0);
  if (bad > 0) console.log(`  warning: ${bad} non-2xx answers or errors`);
  const cpu = (samples: Sample[]) =>
    samples.every((s) => s.serverCpuUs !== undefined)
      ? median(samples.map((s) => s.serverCpuUs!))
      : undefined;
  const fewCpu = cpu(pairs.map((p) => p.few));
  const manyCpu = cpu(pairs.map((p) => p.many));
  const result: MissResult = {
    fewSessions: FEW,
    manySessions: MANY,
    few: { rps: median(pairs.map((p) => p.few.rps)), cpuUs: fewCpu },
    many: { rps: median(pairs.map((p) => p.many.rps)), cpuUs: manyCpu },
    manyOverFew: spread(pairs.map((p) => p.many.rps / p.few.rps)),
    missCostUs:
      fewCpu === undefined || manyCpu === undefined
        ? undefined
        : median(pairs.map((p) => p.many.serverCpuUs! - p.few.serverCpuUs!)),
    pairs,
  };
  console.log(
    `  ${FEW} sessions (all cached):  ${fmt(result.few.rps)} req/s, ${fmt(fewCpu, 1)} µs CPU/request`,
  );
  console.log(
    `  ${MANY} sessions (all missed): ${fmt(result.many.rps)} req/s, ${fmt(manyCpu, 1)} µs CPU/request`,
  );
  console.log(
    `  missed / cached: ${result.manyOverFew.median.toFixed(2)} (quartiles ${result.manyOverFew.quartiles.map((q) => q.toFixed(2)).join("–")}); a miss costs ${fmt(result.missCostUs, 1)} µs of server CPU`,
  );
  return result;
}

type IdleResult = {
  idleSeconds: number;
  cycles: { rounds: Sample[] }[];
  /** Median over the cycles of the first round after the pause ÷ the median of the later ones. */
  firstOverLater: number;
  firstCpuOverLater: number | undefined;
};

async function afterIdle(server: RunningServer, cookies: string[]): Promise<IdleResult> {
  const round = () =>
    runLoadOn(server, {
      url: `${server.url}/api/auth/session`,
      cookies,
      connections: CONNECTIONS,
      seconds: SECONDS,
    });
  const cycles: IdleResult["cycles"] = [];
  for (let cycle = 0; cycle < CYCLES; cycle += 1) {
    console.log(`[idle] cycle ${cycle + 1}/${CYCLES}: ${IDLE_SECONDS} s idle, then rounds…`);
    await sleep(IDLE_SECONDS * 1000);
    const rounds: Sample[] = [];
    for (let i = 0; i < ROUNDS_AFTER_IDLE; i += 1) rounds.push(await round());
    console.log(
      `  ${rounds.map((r) => `${fmt(r.rps)} req/s (${fmt(r.serverCpuUs, 1)} µs)`).join(", ")}`,
    );
    cycles.push({ rounds });
  }
  const firstOverLater = median(
    cycles.map((c) => c.rounds[0]!.rps / median(c.rounds.slice(1).map((r) => r.rps))),
  );
  const withCpu = cycles.every((c) => c.rounds.every((r) => r.serverCpuUs !== undefined));
  const firstCpuOverLater = withCpu
    ? median(
        cycles.map(
          (c) => median(c.rounds.slice(1).map((r) => r.serverCpuUs!)) / c.rounds[0]!.serverCpuUs!,
        ),
      )
    : undefined;
  console.log(
    `  first round after idle ÷ later rounds: ${firstOverLater.toFixed(2)} req/s, ${firstCpuOverLater?.toFixed(2) ?? "?"} by CPU/request`,
  );
  return { idleSeconds: IDLE_SECONDS, cycles, firstOverLater, firstCpuOverLater };
}

async function main(): Promise<void> {
  const started = Date.now();
  const database = await createScratchDatabase(benchPostgresUrl, "worst");
  let server: RunningServer | undefined;
  try {
    server = await startServer(
      {
        DATABASE_URL: database.url,
        AUTH_SIGN_UPS_PER_CLIENT: "100000000",
        AUTH_SIGN_INS_PER_CLIENT: "100000000",
        // The longest access token there is: the misses part with 50 000 sessions takes more
        // than 10 minutes, and an expired token would measure the silent reissue instead.
        AUTH_ACCESS_TTL: String(ACCESS_TTL_SECONDS),
      },
      { nodeArgs: SERVER_NODE_ARGS },
    );
    const pool = await openSessionPool({
      serverUrl: server.url,
      databaseUrl: database.url,
      users: 8,
      label: "worst",
      accessTokenTtlSeconds: ACCESS_TTL_SECONDS,
    });
    const count = ONLY === "idle" ? FEW : Math.max(FEW, MANY);
    console.log(`opening ${count} sessions…`);
    const sessions = await pool.open(count).finally(() => pool.close());
    const both = sessions.map((session) => session.both);
    const few = both.slice(0, FEW);
    // Warm-up: every code path compiled, the FEW tokens cached.
    await runLoadOn(server, {
      url: `${server.url}/api/auth/session`,
      cookies: few,
      connections: CONNECTIONS,
      seconds: 2,
    });
    const misses = ONLY === "idle" ? undefined : await cacheMisses(server, few, both);
    const idle = ONLY === "misses" ? undefined : await afterIdle(server, few);
    if (WRITE) {
      const file = join(repoRoot, "docs/bench/worst-cases.json");
      const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version };
      const method = {
        connections: CONNECTIONS,
        seconds: SECONDS,
        pairs: PAIRS,
        serverNodeArgs: SERVER_NODE_ARGS,
      };
      const at = new Date().toISOString();
      writeFileSync(file, `${JSON.stringify({ at, machine, method, misses, idle }, null, 2)}\n`);
      console.log(`wrote ${file}`);
    }
  } finally {
    await server?.stop();
    await database.drop().catch(() => {});
    console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  }
}

await main();
