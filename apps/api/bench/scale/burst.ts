/**
 * A burst of revocations against the fleet: `rate` single-session revocations a second for
 * `seconds` — log-outs spread over every process, or the same revocations committed straight
 * into PostgreSQL (see BurstSource) — while this process times one probe
 * revocation every `probeEveryMs` (revoked on process 0, refused by every other one:
 * revocation-trial.ts) and samples every process's memory and PostgreSQL's notification queue.
 * Then it watches memory for `idleSeconds`, and checks that a sample of the burst's revoked
 * sessions is refused everywhere (no notification lost).
 *
 * The in-memory revocation list's size is not observable from outside the process (no debug
 * route): its growth shows in RSS. It holds one entry per revoked session for one access-token
 * lifetime (600 s by default), so it cannot shrink within the idle period; "settles" means it
 * stops growing once the revocations stop.
 */
import { performance } from "node:perf_hooks";
import { median } from "../load.js";
import type { RunningServer } from "../server-process.js";
import { driveDatabaseBurst } from "./database-burst.js";
import { driveBurst } from "./drive-burst.js";
import type { BurstDriverOutput } from "./burst-driver-types.js";
import { keepAliveClient, type KeepAliveClient } from "./keep-alive-client.js";
import { revocationTrial, summariseRefusals, type Refusal } from "./revocation-trial.js";
import type { SessionPool } from "./session-pool.js";

/**
 * A listener "fell behind" when, in the burst's last third, it trails the fastest listener
 * (behindFirstMs, median) by more than 2 × what it did in the first third + 10 ms. A backlog
 * that grows shows as a delay that keeps growing; thirds give each process about six probes
 * a side at the default settings, where single seconds gave two, and flagged noise. The delay
 * from the revoking response is no use here: under the burst the revoker's own answer waits in
 * the same queues, so it grows (or turns negative) whatever the listeners do.
 */
export const GROWTH_FACTOR = 2;
export const GROWTH_SLACK_MS = 10;
/** Memory "settled" when RSS after the idle period is at most 10 % above its end-of-burst value. */
export const SETTLE_TOLERANCE = 0.1;
/** The burst "kept up" when every log-out was answered at ≥ 95 % of the requested rate. */
export const KEPT_UP_FRACTION = 0.95;
/** Revoked burst sessions checked on every process afterwards. */
const MISSED_CHECK_SAMPLE = 100;

export type ProbeDelays = { fromResponseMs: number; fromSendMs: number; behindFirstMs: number };
export type ProbeAt = { atSeconds: number; refusals: Refusal[] };
export type MemoryAt = { atSeconds: number; rssMb: (number | undefined)[]; notifyQueue: number };

/**
 * `logouts`: single-session log-outs over HTTP, spread over every process (drive-burst.ts).
 * `database`: the same revocations committed straight into PostgreSQL by pgbench
 * (database-burst.ts): the fan-out alone, without serving the log-outs on the same cores.
 */
export const BURST_SOURCES = ["logouts", "database"] as const;
export type BurstSource = (typeof BURST_SOURCES)[number];

export type BurstResult = {
  via: BurstSource;
  rate: number;
  seconds: number;
  driver: Omit<BurstDriverOutput, "revoked"> & { revokedTotal: number };
  /** Probe delays per second of the burst (all processes together). */
  probeBySecond: ({ second: number } & ReturnType<typeof summariseRefusals>)[];
  probeOverall: ReturnType<typeof summariseRefusals>;
  probeBeforeMs: number;
  probeAfterIdleMs: number;
  perProcess: {
    process: number;
    /** Median delays of the probes in the burst's first and last third (ms). */
    firstThird: ProbeDelays;
    lastThird: ProbeDelays;
    /** This listener trails the fastest one by more at the end (see GROWTH_FACTOR). */
    delayGrew: boolean;
    rssBeforeMb: number;
    rssPeakMb: number;
    rssBurstEndMb: number;
    rssAfterIdleMb: number;
    memorySettled: boolean;
  }[];
  notifyQueuePeak: number;
  missedRevocations: { checked: number; stillAccepted: number };
  /** Revocations answered per second, from the first request to the last answer. */
  achievedPerSecond: number;
  pass: {
    /** Every log-out answered 204 in time, at ≥ 95 % of the requested rate. */
    keptUp: boolean;
    /** null: too few probes to compare a first and a last third (a saturated burst). */
    noDelayGrowth: boolean | null;
    memorySettled: boolean;
    noneMissed: boolean;
  };
  probes: ProbeAt[];
  /** Probe revocations that could not be timed (an error answer, a timeout). */
  probeFailures: { atSeconds: number; error: string }[];
  memory: MemoryAt[];
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const round2 = (value: number) => Math.round(value * 100) / 100;
const medianOf = (values: number[]) => (values.length ? round2(median(values)) : NaN);

/**
 * @example
 * const result = await measureBurst({ fleet, pool, notifyQueueUsage, rate: 1000, seconds: 10,
 *   probeEveryMs: 500, pollMs: 1, idleSeconds: 30 });
 * console.log(result.pass);
 */
export async function measureBurst(options: {
  fleet: readonly RunningServer[];
  /** Where the revocations come from (see BurstSource). */
  via: BurstSource;
  /** The fleet's database (the `database` source commits there). */
  databaseUrl: string;
  pool: SessionPool;
  /** PostgreSQL's `pg_notification_queue_usage()`: 0…1, grows when a listener falls behind. */
  notifyQueueUsage: () => Promise<number>;
  rate: number;
  seconds: number;
  probeEveryMs: number;
  pollMs: number;
  idleSeconds: number;
  /** Kept-alive connections from the driver to each process (its log-outs in flight at most). */
  socketsPerServer: number;
}): Promise<BurstResult> {
  const { fleet, pool, rate, seconds } = options;
  const urls = fleet.map((server) => server.url);
  const clients: KeepAliveClient[] = urls.map((url) => keepAliveClient(url));
  try {
    console.log(`[burst] opening ${rate * seconds} sessions to revoke…`);
    const targets = await pool.open(rate * seconds);
    const probeCount = Math.ceil((seconds * 1000) / options.probeEveryMs) + 4;
    const probeSessions = await pool.open(probeCount);
    let nextProbe = 0;
    const probeOnce = async () =>
      revocationTrial(clients, probeSessions[nextProbe++]!, { pollMs: options.pollMs });
    const rssNow = () => fleet.map((server) => server.rssMb());

    const rssBefore = rssNow();
    const probeBeforeMs = summariseRefusals(await probeOnce()).p50Ms;

    const memory: MemoryAt[] = [];
    const probes: ProbeAt[] = [];
    const probeFailures: { atSeconds: number; error: string }[] = [];
    const burst =
      options.via === "database"
        ? driveDatabaseBurst({
            databaseUrl: options.databaseUrl,
            sessionIds: targets.map((session) => session.sessionId),
            rate,
            seconds,
          })
        : driveBurst({
            urls,
            cookies: targets.map((session) => session.accessOnly),
            rate,
            seconds,
            socketsPerServer: options.socketsPerServer,
            drainSeconds: 30,
          });
    await burst.started;
    const startedAt = performance.now();
    const elapsed = () => (performance.now() - startedAt) / 1000;
    let running = true;
    const finished = burst.finished.finally(() => (running = false));
    const sampleMemory = async () => {
      memory.push({
        atSeconds: elapsed(),
        rssMb: rssNow(),
        notifyQueue: await options.notifyQueueUsage(),
      });
    };
    const memoryLoop = (async () => {
      while (running) {
        await sampleMemory();
        await sleep(1000);
      }
    })();
    while (running && elapsed() < seconds && nextProbe < probeCount - 2) {
      const atSeconds = elapsed();
      try {
        probes.push({ atSeconds, refusals: await probeOnce() });
      } catch (error) {
        // A 503 (database connections exhausted) or a timeout: counted, and the burst goes on.
        probeFailures.push({ atSeconds, error: String(error) });
      }
      const wait = options.probeEveryMs - (elapsed() - atSeconds) * 1000;
      if (wait > 0) await sleep(wait);
    }
    const output = await finished;
    await memoryLoop;
    await sampleMemory();
    const rssBurstEnd = rssNow();
    console.log(`[burst] done; watching memory for ${options.idleSeconds} s…`);
    for (let i = 0; i < options.idleSeconds; i += 1) {
      await sleep(1000);
      await sampleMemory();
    }
    const rssAfterIdle = rssNow();
    const probeAfterIdleMs = summariseRefusals(await probeOnce()).p50Ms;

    // Every process must refuse a sample of the burst's revoked sessions.
    const revoked = output.revoked;
    const step = Math.max(1, Math.floor(revoked.length / MISSED_CHECK_SAMPLE));
    const sample = revoked.filter((_, i) => i % step === 0).slice(-MISSED_CHECK_SAMPLE);
    let stillAccepted = 0;
    for (const index of sample) {
      const replies = await Promise.all(
        clients.map((client) =>
          client.send("GET", "/api/auth/session", targets[index]!.accessOnly),
        ),
      );
      stillAccepted += replies.filter((reply) => reply.status !== 401).length;
    }

    const inSecond = (second: number) =>
      probes.filter((probe) => Math.floor(probe.atSeconds) === second);
    const probeBySecond = Array.from({ length: seconds }, (_, second) => ({
      second,
      ...summariseRefusals(inSecond(second).flatMap((probe) => probe.refusals)),
    }));
    const third = seconds / 3;
    const firstProbes = probes.filter((probe) => probe.atSeconds < third);
    const lastProbes = probes.filter((probe) => probe.atSeconds >= seconds - third);
    // The thirds never share a probe; a saturated burst may leave one of them empty.
    const comparable = firstProbes.length > 0 && lastProbes.length > 0;
    type Field = "delayMs" | "fromSendMs" | "behindFirstMs";
    const medianIn = (set: ProbeAt[], process: number, field: Field) =>
      medianOf(
        set.flatMap((probe) =>
          probe.refusals.filter((r) => r.process === process).map((r) => r[field]),
        ),
      );
    const perProcess = fleet.map((_, process) => {
      const delays = (set: ProbeAt[]): ProbeDelays => ({
        fromResponseMs: medianIn(set, process, "delayMs"),
        fromSendMs: medianIn(set, process, "fromSendMs"),
        behindFirstMs: medianIn(set, process, "behindFirstMs"),
      });
      const firstThird = delays(firstProbes);
      const lastThird = delays(lastProbes);
      const [first, last] = [firstThird.behindFirstMs, lastThird.behindFirstMs];
      const peak = Math.max(...memory.map((m) => m.rssMb[process] ?? 0), rssBefore[process] ?? 0);
      const burstEnd = rssBurstEnd[process] ?? NaN;
      const afterIdle = rssAfterIdle[process] ?? NaN;
      return {
        process,
        firstThird,
        lastThird,
        delayGrew: process !== 0 && last > GROWTH_FACTOR * first + GROWTH_SLACK_MS,
        rssBeforeMb: round2(rssBefore[process] ?? NaN),
        rssPeakMb: round2(peak),
        rssBurstEndMb: round2(burstEnd),
        rssAfterIdleMb: round2(afterIdle),
        memorySettled: afterIdle <= burstEnd * (1 + SETTLE_TOLERANCE),
      };
    });
    const driver = { ...output, revoked: undefined };
    const achievedPerSecond = revoked.length / output.elapsedSeconds;
    const allAnswered =
      output.drained && output.perSecond.every((s) => s.otherStatus === 0 && s.errors === 0);
    return {
      via: options.via,
      rate,
      seconds,
      driver: { ...driver, revokedTotal: revoked.length },
      probeBySecond,
      probeOverall: summariseRefusals(probes.flatMap((probe) => probe.refusals)),
      probeBeforeMs,
      probeAfterIdleMs,
      perProcess,
      notifyQueuePeak: Math.max(0, ...memory.map((m) => m.notifyQueue)),
      missedRevocations: { checked: sample.length * fleet.length, stillAccepted },
      achievedPerSecond: round2(achievedPerSecond),
      pass: {
        keptUp: allAnswered && achievedPerSecond >= KEPT_UP_FRACTION * rate,
        noDelayGrowth: !comparable
          ? null
          : probeFailures.length === 0 && perProcess.every((p) => !p.delayGrew),
        memorySettled: perProcess.every((p) => p.memorySettled),
        noneMissed: stillAccepted === 0,
      },
      probes,
      probeFailures,
      memory,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
