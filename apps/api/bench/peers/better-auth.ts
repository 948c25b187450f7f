/**
 * Better Auth as a peer in `pnpm bench` (issue 19), on PostgreSQL: its three configurations
 * (no cookie cache; cookie cache `compact`; cookie cache `jwt`), each read through
 * `auth.handler` and through its Hono middleware, against our hot path in short alternating
 * pairs; database transactions per request of both; and how long each keeps serving a
 * revoked session. Better Auth runs in its own process (better-auth-server.ts) on its own
 * scratch database of the same PostgreSQL server; this process only speaks HTTP to it.
 */
import { median, runLoadOn, type Sample } from "../load.js";
import { alternatingPairs, spread, type RatioSpread } from "../paired-runs.js";
import { createScratchDatabase, type ScratchDatabase } from "../postgres.js";
import { startServer, type RunningServer } from "../server-process.js";
import { signUpMany } from "../setup.js";
import { tokensFrom } from "../signing-algs.js";
import {
  BETTER_AUTH_MODES,
  BETTER_AUTH_ROUTES,
  type BetterAuthMode,
  type BetterAuthRoute,
} from "./better-auth-configs.js";
import {
  betterAuthRevocationTarget,
  primedCookies,
  sessionPath,
  signUpManyOnBetterAuth,
} from "./better-auth-client.js";
import { PG_STAT_IDLE_FLUSH_MS, transactionCounter } from "./db-transactions.js";
import { ourRevocationTarget } from "./our-client.js";
import { revocationLatency, type RevocationResult } from "./revocation-latency.js";

export const BETTER_AUTH_VERSION = "1.7.25";
/** Issue 19's goal: our hot path at least this many times Better Auth's fastest configuration. */
export const PEER_GOAL = 8;
const SERVER_SCRIPT = "apps/api/bench/peers/better-auth-server.ts";
const REVOCATION = { capMs: 10_000, pollMs: 20 };

export type PeerConfigResult = {
  mode: BetterAuthMode;
  route: BetterAuthRoute;
  /** Medians over the pairs. */
  rps: number;
  rpsQuartiles: [number, number];
  p50: number;
  p99: number;
  serverCpuUs: number | undefined;
  /** Our hot path in the same pairs. */
  ours: { rps: number; serverCpuUs: number | undefined };
  /** Per pair: our req/s ÷ Better Auth's. */
  oursOverPeer: RatioSpread;
  /** Median per pair of Better Auth's CPU µs/request ÷ ours. */
  oursOverPeerByCpu: number | undefined;
  /** `xact_commit + xact_rollback` over one measured pair, ÷ the requests sent. */
  transactionsPerRequest: number;
  oursTransactionsPerRequest: number;
  non2xx: number;
  errors: number;
  pairs: { ours: Sample; peer: Sample }[];
};

export type BetterAuthPeerResult = {
  version: string;
  pairs: number;
  seconds: number;
  configs: PeerConfigResult[];
  /** The faster route of each mode (by median req/s). */
  fastest: Record<BetterAuthMode, BetterAuthRoute>;
  /** The fastest configuration of all, and our hot path over it. */
  best: { mode: BetterAuthMode; route: BetterAuthRoute; rps: number; oursOverPeer: RatioSpread };
  goal: { oursOverBest: number; met: boolean };
  revocation: { ours: RevocationResult } & Record<BetterAuthMode, RevocationResult>;
  signUpSeconds: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function warnOnFailures(configs: PeerConfigResult[]): void {
  for (const config of configs) {
    if (config.non2xx + config.errors > 0) {
      console.warn(
        `[postgres] Better Auth ${config.mode}/${config.route}: ${config.non2xx} non-2xx, ${config.errors} errors`,
      );
    }
  }
}

/**
 * Runs the Better Auth peer against `product` (our production server, already running on
 * `ourDatabaseUrl`): signs up `sessions` accounts on each side, then for each configuration
 * `pairs` alternating pairs of `seconds` each, then the revocation probe.
 *
 * @example
 * const peer = await benchBetterAuthPeer({ product, ourDatabaseUrl, serverUrl, sessions: 1000,
 *   pairs: 12, seconds: 1.5, connections: 50, revocationTries: 9, log: console.log });
 */
export async function benchBetterAuthPeer(options: {
  product: RunningServer;
  ourDatabaseUrl: string;
  /** The PostgreSQL server (any database on it) where Better Auth gets its scratch database. */
  serverUrl: string;
  sessions: number;
  pairs: number;
  seconds: number;
  connections: number;
  revocationTries: number;
  log: (line: string) => void;
  /** Waits for what our sign-ups started to finish (their mail's delivery). */
  afterOurSignUps?: () => Promise<void>;
}): Promise<BetterAuthPeerResult> {
  const { product, sessions, seconds, connections, log } = options;
  if (!(options.pairs >= 1 && sessions >= 1 && options.revocationTries >= 1)) {
    throw new Error("peers need at least one pair, one session and one revocation try");
  }
  let database: ScratchDatabase | undefined;
  let server: RunningServer | undefined;
  const counter = await transactionCounter(options.serverUrl);
  try {
    database = await createScratchDatabase(options.serverUrl, "bench_ba");
    // Better Auth is loaded here only when the peer runs (its own workspace package).
    const { migrateBetterAuth } = await import("./better-auth-options.js");
    await migrateBetterAuth(database.url);

    log(`[postgres] peers: signing up ${sessions} more users on ours and on Better Auth…`);
    const started = performance.now();
    let ourSessions = (await signUpMany(product.url, sessions, "postgres-peers")).map(
      (c) => c.session,
    );
    await options.afterOurSignUps?.();
    let jars: Awaited<ReturnType<typeof signUpManyOnBetterAuth>> | undefined;

    log(`[postgres] peers: revocation latency, ours (${options.revocationTries} tries)…`);
    const tries = { tries: options.revocationTries, ...REVOCATION };
    const revocation = {
      ours: await revocationLatency(ourRevocationTarget(product.url), tries),
    } as BetterAuthPeerResult["revocation"];

    const configs: PeerConfigResult[] = [];
    let signUpSeconds = 0;
    for (const mode of BETTER_AUTH_MODES) {
      for (const route of BETTER_AUTH_ROUTES) {
        server = await startServer(
          { DATABASE_URL: database.url, BA_MODE: mode, BA_ROUTE: route },
          { script: SERVER_SCRIPT },
        );
        if (!jars) {
          jars = await signUpManyOnBetterAuth(server.url, sessions);
          signUpSeconds = (performance.now() - started) / 1000;
        }
        const peerCookies = await primedCookies(server.url, jars);
        // Our access tokens live 600 s: fresh ones for every configuration.
        const fresh = await tokensFrom(product, ourSessions);
        ourSessions = fresh.sessions;
        const peer = server;
        const ours = () =>
          runLoadOn(product, {
            url: `${product.url}/api/auth/session`,
            cookies: fresh.cookies,
            connections,
            seconds,
          });
        const theirs = () =>
          runLoadOn(peer, {
            url: `${peer.url}${sessionPath(route)}`,
            cookies: peerCookies,
            connections,
            seconds,
          });
        await ours();
        await theirs();
        // Transactions per request, from one pair between two quiet spells (see
        // PG_STAT_IDLE_FLUSH_MS); the pair also counts as the first of the config's pairs.
        await sleep(PG_STAT_IDLE_FLUSH_MS);
        const urls = [options.ourDatabaseUrl, database.url];
        const [oursBefore, peerBefore] = await counter.read(urls);
        const first = { ours: await ours(), peer: await theirs() };
        await sleep(PG_STAT_IDLE_FLUSH_MS);
        const [oursAfter, peerAfter] = await counter.read(urls);
        const rest = (await alternatingPairs(ours, theirs, options.pairs - 1)).map(({ a, b }) => ({
          ours: a,
          peer: b,
        }));
        const pairs = [first, ...rest];
        // Per request sent: the requests in flight when a run ends (up to one per connection,
        // a large share of a slow route's 1.5 s) still reach the database.
        const sent = (sample: Sample) => sample.sent ?? sample.requests;
        const config = summarise(mode, route, pairs, {
          ours: (oursAfter! - oursBefore!) / sent(first.ours),
          peer: (peerAfter! - peerBefore!) / sent(first.peer),
        });
        configs.push(config);
        log(
          `[postgres] Better Auth ${mode}/${route}: ${config.rps.toFixed(0)} req/s ` +
            `(quartiles ${config.rpsQuartiles.map((q) => q.toFixed(0)).join("–")}), ` +
            `${config.serverCpuUs?.toFixed(0) ?? "?"} µs CPU/req, ${config.transactionsPerRequest.toFixed(2)} DB tx/req; ` +
            `ours ${config.ours.rps.toFixed(0)} req/s → ours/theirs ${config.oursOverPeer.median.toFixed(1)}×`,
        );
        if (route === "handler") {
          log(`[postgres] peers: revocation latency, Better Auth ${mode}…`);
          revocation[mode] = await revocationLatency(
            betterAuthRevocationTarget(peer.url, route),
            tries,
          );
        }
        await peer.stop();
        server = undefined;
      }
    }
    warnOnFailures(configs);
    const fastest = Object.fromEntries(
      BETTER_AUTH_MODES.map((mode) => {
        const [a, b] = configs.filter((c) => c.mode === mode);
        return [mode, a!.rps >= b!.rps ? a!.route : b!.route];
      }),
    ) as Record<BetterAuthMode, BetterAuthRoute>;
    const bestConfig = configs.reduce((a, b) => (b.rps > a.rps ? b : a));
    return {
      version: BETTER_AUTH_VERSION,
      pairs: options.pairs,
      seconds,
      configs,
      fastest,
      best: {
        mode: bestConfig.mode,
        route: bestConfig.route,
        rps: bestConfig.rps,
        oursOverPeer: bestConfig.oursOverPeer,
      },
      goal: {
        oursOverBest: bestConfig.oursOverPeer.median,
        met: bestConfig.oursOverPeer.median >= PEER_GOAL,
      },
      revocation,
      signUpSeconds,
    };
  } finally {
    await server?.stop().catch(() => {});
    await counter.close().catch(() => {});
    await database?.drop().catch(() => {});
  }
}

function summarise(
  mode: BetterAuthMode,
  route: BetterAuthRoute,
  pairs: { ours: Sample; peer: Sample }[],
  transactions: { ours: number; peer: number },
): PeerConfigResult {
  const peer = pairs.map((p) => p.peer);
  const rps = spread(peer.map((s) => s.rps));
  const cpu = (samples: Sample[]) =>
    samples.every((s) => s.serverCpuUs !== undefined)
      ? median(samples.map((s) => s.serverCpuUs!))
      : undefined;
  const byCpu = pairs.every((p) => p.ours.serverCpuUs && p.peer.serverCpuUs)
    ? median(pairs.map((p) => p.peer.serverCpuUs! / p.ours.serverCpuUs!))
    : undefined;
  return {
    mode,
    route,
    rps: rps.median,
    rpsQuartiles: rps.quartiles,
    p50: median(peer.map((s) => s.p50)),
    p99: median(peer.map((s) => s.p99)),
    serverCpuUs: cpu(peer),
    ours: { rps: median(pairs.map((p) => p.ours.rps)), serverCpuUs: cpu(pairs.map((p) => p.ours)) },
    oursOverPeer: spread(pairs.map((p) => p.ours.rps / p.peer.rps)),
    oursOverPeerByCpu: byCpu,
    transactionsPerRequest: transactions.peer,
    oursTransactionsPerRequest: transactions.ours,
    non2xx: peer.reduce((sum, s) => sum + s.non2xx, 0),
    errors: peer.reduce((sum, s) => sum + s.errors, 0),
    pairs,
  };
}
