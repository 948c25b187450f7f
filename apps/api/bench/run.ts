/**
 * `pnpm bench`: the performance claims of the design, measured side by side in one run.
 *
 * For each database (embedded PGlite, then real PostgreSQL when reachable) it starts the
 * production server (`apps/api/src/index.ts`, NODE_ENV=production) and, in its own process,
 * the database-lookup baseline (`baseline-server.ts`), signs up SESSIONS users over HTTP, and
 * measures with autocannon, alternating the variants round by round so drift cancels out:
 *   bare      GET /api/health
 *   hot       GET /api/auth/session, access + session cookies of SESSIONS distinct sessions
 *   baseline  GET /api/auth/session on the baseline: one session lookup per request
 *   reissue   GET /api/auth/session with the session cookie only: every request reissues
 *   todosGet  GET /api/todos (hot-path auth + one query)
 *   todosPost POST /api/todos (hot-path auth + one insert)
 * then the floor (a plain Hono app, floor-server.ts), bare and hot again from RUNS short
 * back-to-back runs of the three, whose per-run ratios give bare/floor, hot/floor and hot/bare
 * with quartiles (floor-bare-hot.ts); the hot path's
 * p99 at a fixed rate, idle and under a sign-in flood, on all cores and with the server
 * confined to one (flood.ts); the hot path with EdDSA and ES256 access tokens against HS256
 * and bare, from one fresh server per algorithm over the same data (signing-algs.ts); and,
 * in-process, database statements per request. Also argon2 verifications per second on one core and the
 * memory probe (100 000 distinct sessions). On PostgreSQL, last: the peers (peers/better-auth.ts):
 * Better Auth 1.7.25 without and with its cookie cache (compact, jwt), each through auth.handler
 * and through its Hono middleware, in short alternating pairs against the hot path; database
 * transactions per request of both; and how long each serves a revoked session.
 * Writes docs/bench/results.json, chart.svg and peers.svg.
 *
 * Options: --sessions=1000 --rounds=5 --seconds=3 --connections=50 --only=pglite|postgres
 *          --runs=42 (short floor/bare/hot runs for the ratios) --no-write (print only)
 *          --alg-rounds=6 (rounds of bare/HS256/EdDSA/ES256; 0 skips the signing algorithms).
 *          --peers=0 skips the peers; --peer-pairs=12 (pairs per Better Auth configuration),
 *          --peer-revocations=9 (tries of the revocation probe per server).
 *          PostgreSQL: BENCH_DATABASE_URL, else TEST_DATABASE_URL,
 *          DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import {
  PasswordHasher,
  OWASP_ARGON2_BASELINE,
} from "../../../packages/auth/src/password/hasher.js";
import { barChart } from "./chart.js";
import { compileFloor } from "./compiled-floor.js";
import { benchBetterAuthPeer, PEER_GOAL, type BetterAuthPeerResult } from "./peers/better-auth.js";
import { peersChart, printPeers } from "./peers/report.js";
import { FLOOD_CONNECTIONS, hotPathUnderFlood, PROBE, type FloodResult } from "./flood.js";
import { floorBareHot, type FloorBareHot, type PairedRatio } from "./floor-bare-hot.js";
import {
  hotBySigningAlgorithm,
  SIGNING_ALGORITHMS,
  type SigningAlgsResult,
} from "./signing-algs.js";
import { median, runLoadOn, type LoadOptions, type Sample } from "./load.js";
import { startBenchMailSink } from "./mail-sink.js";
import { createScratchDatabase, reachable, type ScratchDatabase } from "./postgres.js";
import { countQueries, type QueryCounts } from "./query-count.js";
import { describeMachine } from "./scale/machine.js";
import { repoRoot, startServer, type RunningServer } from "./server-process.js";
import {
  BENCH_PASSWORD,
  BENCH_SERVER_ENV,
  benchPostgresUrl,
  flag,
  signUpMany,
  type SessionCookies,
} from "./setup.js";

const SESSIONS = Number(flag("sessions", "1000"));
const ROUNDS = Number(flag("rounds", "5"));
const SECONDS = Number(flag("seconds", "3"));
const CONNECTIONS = Number(flag("connections", "50"));
const ONLY = flag("only", "");
const WRITE = !process.argv.includes("--no-write");
const POSTGRES_URL = benchPostgresUrl;
/** Short runs of floor, bare and hot; a multiple of 6 goes through each order equally often. */
const RUNS = Number(flag("runs", "42"));
const PAIR_SECONDS = 1.5;
/** Rounds of the four signing-algorithm variants, PAIR_SECONDS each (≈ 6 s a round); 0 skips. */
const ALG_ROUNDS = Number(flag("alg-rounds", "6"));
/** Better Auth as a peer, on PostgreSQL (peers/better-auth.ts); --peers=0 skips it. */
const PEERS = flag("peers", "1") !== "0";
const PEER_PAIRS = Number(flag("peer-pairs", "12"));
const PEER_REVOCATIONS = Number(flag("peer-revocations", "9"));

type Cookies = SessionCookies;

const VARIANTS = [
  { key: "floor", label: "plain Hono, same JSON + headers (floor)" },
  { key: "bare", label: "GET /api/health (bare route)" },
  { key: "hot", label: "GET /api/auth/session (hot path)" },
  { key: "baseline", label: "same, DB session lookup per request" },
  { key: "reissue", label: "same, silent reissue every request" },
  { key: "todosGet", label: "GET /api/todos" },
  { key: "todosPost", label: "POST /api/todos" },
] as const;
type VariantKey = (typeof VARIANTS)[number]["key"];

/** Medians over the rounds (totals for the counts), and the rounds themselves. */
type VariantResult = Omit<Sample, "serverCpuUs"> & {
  /** Median server CPU time per request (µs). */
  serverCpuUs: number | undefined;
  rounds: Sample[];
};

type DatabaseResult = {
  database: "pglite" | "postgres";
  variants: Record<VariantKey, VariantResult>;
  /**
   * From the RUNS short runs of floor, bare and hot: our bare route and our hot path against
   * the plain Hono app (issue 19's floor), and hot against bare.
   */
  ratios: Pick<FloorBareHot, "hotOverBare" | "bareOverFloor" | "hotOverFloor">;
  /** The same ratios from the long rounds, for comparison, and the ones only they give. */
  ratiosInRounds: {
    hotOverBare: number;
    bareOverFloor: number;
    hotOverFloor: number;
    hotOverBaseline: number;
    reissueOverBaseline: number;
  };
  floorBareHotRuns: FloorBareHot["runs"];
  queriesPerRequest: QueryCounts;
  flood: FloodResult;
  /** The same with the server confined to one core; absent where that cannot be done. */
  floodOneCore: FloodResult | undefined;
  signUpSeconds: number;
  serverPeakRssMb: number | undefined;
  /** The hot path with EdDSA / ES256 tokens vs. HS256 and bare; absent with --alg-rounds=0. */
  signingAlgorithms: SigningAlgsResult | undefined;
  /** Better Auth against the hot path (PostgreSQL only; absent with --peers=0). */
  peers: BetterAuthPeerResult | undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const pairedRatio = (a: Sample[], b: Sample[]) =>
  median(a.map((sample, i) => sample.rps / b[i]!.rps));

function summarise(rounds: Sample[]): VariantResult {
  return {
    rps: median(rounds.map((r) => r.rps)),
    p50: median(rounds.map((r) => r.p50)),
    p99: median(rounds.map((r) => r.p99)),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    serverCpuUs: rounds.every((r) => r.serverCpuUs !== undefined)
      ? median(rounds.map((r) => r.serverCpuUs!))
      : undefined,
    rounds,
  };
}

async function benchDatabase(kind: "pglite" | "postgres"): Promise<DatabaseResult> {
  const servers: RunningServer[] = [];
  const scratch: ScratchDatabase[] = [];
  const dirs: string[] = [];
  const algDataDirs: Partial<Record<(typeof SIGNING_ALGORITHMS)[number], string>> = {};
  let databaseUrl: string | undefined;
  const mail = await startBenchMailSink();
  // Access tokens of AUTH_ACCESS_TTL's maximum hour: the sign-ups' tokens must outlive the
  // whole phase (the mail's delivery added two minutes to it). At 600 s they expired before the
  // signing-algorithm rounds, whose reissues then rotated every session the bench still held.
  const SERVER_ENV = { ...BENCH_SERVER_ENV, ...mail.env, AUTH_ACCESS_TTL: "3600" };
  try {
    let product: RunningServer;
    let baseline: RunningServer;
    const started = performance.now();
    let cookies: Cookies[];
    if (kind === "pglite") {
      // PGlite is one process: sign up through the product, stop it, give the baseline its
      // own copy of the data directory, and run both side by side.
      const productDir = mkdtempSync(join(os.tmpdir(), "bench-pglite-"));
      const baselineDir = mkdtempSync(join(os.tmpdir(), "bench-pglite-baseline-"));
      dirs.push(productDir, baselineDir);
      const first = await startServer(SERVER_ENV, { dataDir: productDir });
      servers.push(first);
      console.log(`[pglite] signing up ${SESSIONS} users…`);
      cookies = await signUpMany(first.url, SESSIONS, kind);
      await mail.delivered(SESSIONS);
      await first.stop();
      cpSync(join(productDir, "pglite"), join(baselineDir, "pglite"), { recursive: true });
      if (ALG_ROUNDS > 0) {
        for (const algorithm of SIGNING_ALGORITHMS) {
          const dir = mkdtempSync(join(os.tmpdir(), `bench-pglite-${algorithm.toLowerCase()}-`));
          dirs.push(dir);
          cpSync(join(productDir, "pglite"), join(dir, "pglite"), { recursive: true });
          algDataDirs[algorithm] = dir;
        }
      }
      product = await startServer(SERVER_ENV, { dataDir: productDir });
      baseline = await startServer(
        {},
        {
          script: "apps/api/bench/baseline-server.ts",
          dataDir: baselineDir,
        },
      );
    } else {
      const database = await createScratchDatabase(POSTGRES_URL, "bench");
      scratch.push(database);
      databaseUrl = database.url;
      const env = { ...SERVER_ENV, DATABASE_URL: database.url };
      product = await startServer(env);
      servers.push(product);
      console.log(`[postgres] signing up ${SESSIONS} users…`);
      cookies = await signUpMany(product.url, SESSIONS, kind);
      await mail.delivered(SESSIONS);
      // Measured restarted, as on PGlite: the floor has served no sign-ups, and a server that
      // has may pay more per request for a while (performance.md, "Against the floor").
      await product.stop();
      product = await startServer(env);
      servers.push(product);
      baseline = await startServer(
        { DATABASE_URL: database.url },
        { script: "apps/api/bench/baseline-server.ts" },
      );
    }
    servers.push(product, baseline);
    const signUpSeconds = (performance.now() - started) / 1000;

    const both = cookies.map((c) => `${c.access}; ${c.session}`);
    // The floor answers the very JSON our hot path answers (one session's, as long as any).
    const hotBody = await (
      await fetch(`${product.url}/api/auth/session`, { headers: { Cookie: both[0]! } })
    ).text();
    const floor = await startServer({ FLOOR_BODY: hotBody }, { script: compileFloor() });
    servers.push(floor);
    const sessionOnly = cookies.map((c) => c.session);
    const load = (key: VariantKey, seconds: number) =>
      runLoadOn(
        key === "baseline" ? baseline : key === "floor" ? floor : product,
        variantLoad(key, seconds),
      );
    const variantLoad = (key: VariantKey, seconds: number): LoadOptions => {
      const common = { connections: CONNECTIONS, seconds };
      switch (key) {
        case "floor":
          return { ...common, url: `${floor.url}/api/auth/session`, cookies: both };
        case "bare":
          return { ...common, url: `${product.url}/api/health` };
        case "hot":
          return { ...common, url: `${product.url}/api/auth/session`, cookies: both };
        case "baseline":
          return { ...common, url: `${baseline.url}/api/auth/session`, cookies: sessionOnly };
        case "reissue":
          return { ...common, url: `${product.url}/api/auth/session`, cookies: sessionOnly };
        case "todosGet":
          return { ...common, url: `${product.url}/api/todos`, cookies: both };
        case "todosPost":
          return {
            ...common,
            url: `${product.url}/api/todos`,
            method: "POST",
            body: JSON.stringify({ title: "benchmark to-do" }),
            cookies: both,
          };
      }
    };

    console.log(`[${kind}] warming up…`);
    for (const { key } of VARIANTS) await load(key, 1);
    const rounds = Object.fromEntries(VARIANTS.map(({ key }) => [key, [] as Sample[]])) as Record<
      VariantKey,
      Sample[]
    >;
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const { key } of VARIANTS) {
        // A pause, so one variant's aftermath (embedded PGlite flushing after the writes of
        // POST /api/todos, garbage collection) does not land on the next one.
        await sleep(1000);
        const sample = await load(key, SECONDS);
        rounds[key].push(sample);
        console.log(
          `[${kind}] round ${round + 1}/${ROUNDS} ${key.padEnd(9)} ${sample.rps.toFixed(0).padStart(6)} req/s` +
            `  p50 ${sample.p50} ms  p99 ${sample.p99} ms  server ${sample.serverCpuUs?.toFixed(0) ?? "?"} µs CPU/req${sample.non2xx || sample.errors ? `  non-2xx ${sample.non2xx} errors ${sample.errors}` : ""}`,
        );
      }
    }
    const variants = Object.fromEntries(
      VARIANTS.map(({ key }) => [key, summarise(rounds[key])]),
    ) as Record<VariantKey, VariantResult>;

    console.log(`[${kind}] floor, bare and hot: ${RUNS} short runs…`);
    // After the writes of the last round: let embedded PGlite and the collector settle first.
    await sleep(3000);
    const { runs: floorBareHotRuns, ...ratios } = await floorBareHot({
      product,
      floor,
      cookies: both,
      runs: RUNS,
      seconds: PAIR_SECONDS,
      connections: CONNECTIONS,
    });

    console.log(`[${kind}] hot-path p99 idle vs. during a sign-in flood (all cores, one core)…`);
    const login = { email: `bench-${kind}-0@example.test`, password: BENCH_PASSWORD };
    const flood = await hotPathUnderFlood({
      server: product,
      cookies: both,
      login,
      oneCore: false,
    });
    const floodOneCore = await hotPathUnderFlood({
      server: product,
      cookies: both,
      login,
      oneCore: true,
    });
    const serverPeakRssMb = product.peakRssMb();

    let signingAlgorithms: SigningAlgsResult | undefined;
    if (ALG_ROUNDS > 0) {
      // Last of the load phases: the reissues it needs may rotate session tokens.
      console.log(`[${kind}] hot path by signing algorithm: ${ALG_ROUNDS} rounds…`);
      signingAlgorithms = await hotBySigningAlgorithm({
        kind,
        sessions: sessionOnly,
        ...(kind === "pglite" ? { dataDirs: algDataDirs } : {}),
        env: databaseUrl ? { ...SERVER_ENV, DATABASE_URL: databaseUrl } : SERVER_ENV,
        rounds: ALG_ROUNDS,
        seconds: PAIR_SECONDS,
        connections: CONNECTIONS,
        log: (line) => console.log(line),
      });
    }

    let peers: BetterAuthPeerResult | undefined;
    if (kind === "postgres" && PEERS) {
      // After the signing algorithms: its own sign-ups on our server, fresh access tokens.
      console.log(`[${kind}] peers: Better Auth…`);
      peers = await benchBetterAuthPeer({
        product,
        ourDatabaseUrl: databaseUrl!,
        serverUrl: POSTGRES_URL,
        sessions: SESSIONS,
        pairs: PEER_PAIRS,
        seconds: PAIR_SECONDS,
        connections: CONNECTIONS,
        revocationTries: PEER_REVOCATIONS,
        log: (line) => console.log(line),
        // Its sign-ups' mail too is delivered before anything is measured.
        afterOurSignUps: () => mail.delivered(2 * SESSIONS),
      });
    }

    console.log(`[${kind}] counting statements per request (in-process)…`);
    let queriesPerRequest: QueryCounts;
    if (kind === "pglite") {
      queriesPerRequest = await countQueries(undefined);
    } else {
      const database = await createScratchDatabase(POSTGRES_URL, "bench_queries");
      scratch.push(database);
      queriesPerRequest = await countQueries(database.url);
    }

    return {
      database: kind,
      variants,
      ratios,
      // Each ratio pairs the two variants of the same round (measured seconds apart), then
      // takes the median over the rounds: drift between rounds cancels out.
      ratiosInRounds: {
        hotOverBare: pairedRatio(rounds.hot, rounds.bare),
        bareOverFloor: pairedRatio(rounds.bare, rounds.floor),
        hotOverFloor: pairedRatio(rounds.hot, rounds.floor),
        hotOverBaseline: pairedRatio(rounds.hot, rounds.baseline),
        reissueOverBaseline: pairedRatio(rounds.reissue, rounds.baseline),
      },
      floorBareHotRuns,
      queriesPerRequest,
      flood: flood!,
      floodOneCore,
      signUpSeconds,
      serverPeakRssMb,
      signingAlgorithms,
      peers,
    };
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => {});
    await mail.stop();
    for (const database of scratch) await database.drop().catch(() => {});
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
}

/** argon2id verifications per second on one core, at the parameters the product uses. */
async function argon2PerCore(): Promise<{ perSecond: number; msEach: number }> {
  const hasher = new PasswordHasher(OWASP_ARGON2_BASELINE);
  const hash = await hasher.hash(BENCH_PASSWORD);
  await hasher.verify(hash, BENCH_PASSWORD);
  let count = 0;
  const start = performance.now();
  // One at a time: exactly one thread, i.e. one core, is busy.
  while (performance.now() - start < 3000) {
    await hasher.verify(hash, BENCH_PASSWORD);
    count += 1;
  }
  const seconds = (performance.now() - start) / 1000;
  return { perSecond: count / seconds, msEach: (seconds * 1000) / count };
}

function memoryProbe(): unknown {
  const result = spawnSync(
    process.execPath,
    [
      "--conditions=@hybrid-auth/source",
      "--import",
      "tsx",
      "--expose-gc",
      "apps/api/bench/memory-probe.ts",
    ],
    { cwd: repoRoot, encoding: "utf8", timeout: 120_000 },
  );
  if (result.status !== 0) {
    console.error(result.stderr);
    return undefined;
  }
  return JSON.parse(result.stdout.trim().split("\n").at(-1)!);
}

const goal = (ok: boolean) => (ok ? "met" : "NOT MET");
const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function report(results: DatabaseResult[], argon2: { perSecond: number; msEach: number }): void {
  console.log(
    `\n${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${SESSIONS} sessions`,
  );
  for (const result of results) {
    console.log(`\n${result.database}`);
    console.log(
      `${"variant".padEnd(40)} ${"req/s".padStart(8)} ${"p50 ms".padStart(7)} ${"p99 ms".padStart(7)} ${"queries/req".padStart(12)} ${"CPU µs/req".padStart(11)}`,
    );
    for (const { key, label } of VARIANTS) {
      const v = result.variants[key];
      const bad = v.non2xx + v.errors;
      console.log(
        `${label.padEnd(40)} ${fmt(v.rps).padStart(8)} ${String(v.p50).padStart(7)} ${String(v.p99).padStart(7)} ${fmt(key === "floor" ? 0 : (result.queriesPerRequest[key] ?? NaN), 2).padStart(12)} ${(v.serverCpuUs === undefined ? "?" : fmt(v.serverCpuUs)).padStart(11)}${bad ? `  (${bad} non-2xx/errors)` : ""}`,
      );
    }
    const { ratios, ratiosInRounds: inRounds, flood, floodOneCore, queriesPerRequest } = result;
    console.log(`median of ${RUNS} short floor/bare/hot runs (quartiles; by server CPU/request):`);
    const line = (label: string, ratio: PairedRatio, target: number, rounds: number) => {
      const [q1, q3] = ratio.quartiles;
      const cpu = ratio.cpuRatio === undefined ? "?" : ratio.cpuRatio.toFixed(2);
      console.log(
        `${label.padEnd(26)}${ratio.median.toFixed(2)}  (goal ≥ ${target.toFixed(2)}: ${goal(ratio.median >= target)}); quartiles ${q1.toFixed(2)}–${q3.toFixed(2)}; by CPU ${cpu}; in the ${ROUNDS} long rounds ${rounds.toFixed(2)}`,
      );
    };
    line("hot / bare:", ratios.hotOverBare, 0.85, inRounds.hotOverBare);
    line("bare / floor:", ratios.bareOverFloor, 0.85, inRounds.bareOverFloor);
    line("hot / floor:", ratios.hotOverFloor, 0.8, inRounds.hotOverFloor);
    console.log(
      `hot / database baseline:  ${inRounds.hotOverBaseline.toFixed(2)}  (goal ≥ 2.5: ${goal(inRounds.hotOverBaseline >= 2.5)})`,
    );
    console.log(
      `queries per hot request:  ${queriesPerRequest.hot}  (goal 0: ${goal(queriesPerRequest.hot === 0)})`,
    );
    const algs = result.signingAlgorithms;
    if (algs) {
      const { ratios: r, rps } = algs;
      console.log(
        `hot path by access-token algorithm (median of ${ALG_ROUNDS} rounds, req/s): bare ${fmt(rps.bare)}, HS256 ${fmt(rps.HS256)}, EdDSA ${fmt(rps.EdDSA)}, ES256 ${fmt(rps.ES256)}`,
      );
      console.log(
        `  / bare: HS256 ${r.hs256OverBare.toFixed(2)}, EdDSA ${r.eddsaOverBare.toFixed(2)}, ES256 ${r.es256OverBare.toFixed(2)};  / HS256: EdDSA ${r.eddsaOverHs256.toFixed(2)}, ES256 ${r.es256OverHs256.toFixed(2)}`,
      );
    }
    for (const [label, probe] of [
      ["all cores", flood],
      ["server on one core", floodOneCore],
    ] as const) {
      if (!probe) continue;
      console.log(
        `hot p99 at ${PROBE.rate} req/s, ${label}: idle ${probe.idleP99} ms, during sign-in flood ${probe.floodP99} ms → ${probe.ratio.toFixed(2)}× (goal ≤ 3×: ${goal(probe.ratio <= 3)}); ${fmt(probe.signInsPerSecond)} sign-ins/s during the flood`,
      );
    }
    if (result.peers) printPeers(result.peers, (line) => console.log(line));
  }
  console.log(
    `\nargon2id (m=${OWASP_ARGON2_BASELINE.memoryCost} KiB, t=${OWASP_ARGON2_BASELINE.timeCost}, p=${OWASP_ARGON2_BASELINE.parallelism}): ${argon2.perSecond.toFixed(1)} sign-ins/s per core (${argon2.msEach.toFixed(1)} ms each)`,
  );
}

async function main(): Promise<void> {
  const began = performance.now();
  const kinds: ("pglite" | "postgres")[] = [];
  if (ONLY !== "postgres") kinds.push("pglite");
  if (ONLY !== "pglite") {
    if (await reachable(POSTGRES_URL)) kinds.push("postgres");
    else console.warn(`PostgreSQL at ${POSTGRES_URL} is not reachable: skipping it.`);
  }
  console.log("argon2id sign-ins per second on one core…");
  const argon2 = await argon2PerCore();
  const results: DatabaseResult[] = [];
  for (const kind of kinds) results.push(await benchDatabase(kind));
  console.log("memory probe: 100 000 distinct sessions…");
  const memory = memoryProbe();
  report(results, argon2);
  if (memory) console.log(`memory probe: ${JSON.stringify(memory)}`);
  const seconds = (performance.now() - began) / 1000;
  console.log(`\nbench finished in ${seconds.toFixed(0)} s`);
  if (!WRITE) return;
  const outDir = join(repoRoot, "docs/bench");
  mkdirSync(outDir, { recursive: true });
  const json = {
    date: new Date().toISOString(),
    machine: describeMachine(POSTGRES_URL),
    method: {
      tool: "autocannon",
      sessions: SESSIONS,
      rounds: ROUNDS,
      secondsPerRound: SECONDS,
      connections: CONNECTIONS,
      order: VARIANTS.map((v) => v.key),
      floorBareHotRuns: { runs: RUNS, seconds: PAIR_SECONDS, order: "every permutation in turn" },
      signingAlgorithms: { rounds: ALG_ROUNDS, seconds: PAIR_SECONDS, order: "rotating" },
      peers: PEERS
        ? {
            pairs: PEER_PAIRS,
            seconds: PAIR_SECONDS,
            order: "alternating, ours first in even pairs",
            transactionsPerRequest:
              "pg_stat_database xact_commit + xact_rollback over the first pair, read 11 s before and after it",
            revocation: { tries: PEER_REVOCATIONS, pollMs: 20, capMs: 10_000 },
          }
        : undefined,
      latencyProbe: { ...PROBE, floodConnections: FLOOD_CONNECTIONS },
      runSeconds: Math.round(seconds),
    },
    goals: {
      hotOverBare: 0.85,
      bareOverFloor: 0.85,
      hotOverFloor: 0.8,
      hotOverBaseline: 2.5,
      hotQueriesPerRequest: 0,
      floodP99Ratio: 3,
      hotOverFastestPeer: PEER_GOAL,
    },
    results,
    argon2: { parameters: OWASP_ARGON2_BASELINE, ...argon2 },
    memory,
  };
  writeFileSync(join(outDir, "results.json"), `${JSON.stringify(json, null, 2)}\n`);
  const colors = ["#4f6bed", "#e8833a"];
  writeFileSync(
    join(outDir, "chart.svg"),
    barChart({
      title: "Hybrid auth: requests per second, production server, autocannon",
      subtitle: `${os.cpus().length} cores, ${CONNECTIONS} connections, ${SESSIONS} sessions, median of ${ROUNDS} alternating ${SECONDS} s rounds; p99 in brackets`,
      labels: VARIANTS.map((v) => v.label),
      series: results.map((result, index) => ({
        name: result.database === "pglite" ? "embedded PGlite" : "PostgreSQL 15",
        color: colors[index % colors.length]!,
        values: VARIANTS.map((v) => result.variants[v.key].rps),
      })),
      annotate: (seriesIndex, labelIndex) =>
        ` (p99 ${results[seriesIndex]!.variants[VARIANTS[labelIndex]!.key].p99} ms)`,
    }),
  );
  const withPeers = results.find((result) => result.peers);
  if (withPeers) {
    const { floor, bare, hot } = withPeers.variants;
    writeFileSync(
      join(outDir, "peers.svg"),
      peersChart(
        withPeers.peers!,
        { floor, bare, hot },
        `${os.cpus().length} cores, ${CONNECTIONS} connections, ${SESSIONS} sessions; medians of ${ROUNDS} rounds of ${SECONDS} s (ours) or of ${PEER_PAIRS} pairs of ${PAIR_SECONDS} s`,
      ),
    );
  }
  console.log(
    `wrote docs/bench/results.json, docs/bench/chart.svg${withPeers ? " and docs/bench/peers.svg" : ""}`,
  );
}

await main();
