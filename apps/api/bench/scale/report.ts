/** The table `pnpm bench:scale` prints. */
import type { BurstResult } from "./burst.js";
import type { FanOutResult } from "./fan-out.js";
import type { WorkersResult } from "./workers.js";

const fmt = (value: number, digits = 0) =>
  Number.isFinite(value)
    ? value.toLocaleString("en-US", {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      })
    : "?";
const verdict = (ok: boolean | null) =>
  ok === null ? "inconclusive (too few probes)" : ok ? "pass" : "FAIL";

/**
 * Prints whichever parts ran.
 *
 * @example
 * printScaleReport({ workers, fanOut: undefined, bursts: [] });
 */
export function printScaleReport(results: {
  workers: WorkersResult | undefined;
  fanOut: FanOutResult | undefined;
  bursts: readonly BurstResult[];
}): void {
  const { workers, fanOut, bursts } = results;
  if (workers) {
    console.log(
      `\n1 worker vs 2 (WEB_CONCURRENCY), PostgreSQL, ${workers.sessions} sessions, ` +
        `${workers.rounds} alternating rounds of ${workers.seconds} s, ${workers.connections} connections.` +
        `\nThe load generator (autocannon) shares the same 2 cores: 2 workers cannot get 2 whole cores.`,
    );
    console.log(
      `${"route".padEnd(26)} ${"1 worker req/s".padStart(15)} ${"2 workers req/s".padStart(16)} ${"efficiency".padStart(11)} ${"quartiles".padStart(11)} ${"CPU µs/req 1→2".padStart(16)} ${"p99 ms 1→2".padStart(11)}`,
    );
    for (const [label, row] of [
      ["GET /api/health (bare)", workers.bare],
      ["GET /api/auth/session (hot)", workers.hot],
    ] as const) {
      const [q1, q3] = row.efficiencyQuartiles;
      const bad = row.non2xx + row.errors;
      console.log(
        `${label.padEnd(26)} ${fmt(row.rps1).padStart(15)} ${fmt(row.rps2).padStart(16)} ${fmt(row.efficiency, 2).padStart(11)} ${`${fmt(q1, 2)}–${fmt(q3, 2)}`.padStart(11)} ${`${fmt(row.cpuUs1)} → ${fmt(row.cpuUs2)}`.padStart(16)} ${`${fmt(row.p99Ms1)} → ${fmt(row.p99Ms2)}`.padStart(11)}${bad ? `  (${bad} non-2xx/errors)` : ""}`,
      );
    }
    console.log("efficiency = rps(2 workers) ÷ (2 × rps(1 worker)), median of the rounds");
  }
  if (fanOut) {
    console.log(
      `\nRevocation fan-out (delay from the revoking response to the first 401, an upper bound): ${fanOut.trials} single-session log-outs on process 0, timed on the other ${fanOut.processes - 1} (${fanOut.n} delays)`,
    );
    console.log(
      `p50 ${fmt(fanOut.p50Ms, 2)} ms, p99 ${fmt(fanOut.p99Ms, 2)} ms, max ${fmt(fanOut.maxMs, 2)} ms; ` +
        `resolution ${fmt(fanOut.resolutionMs, 2)} ms (each process probed from the log-out's sending, ${fanOut.pollMs} ms after each reply); ` +
        `refused before the revoking response arrived: ${fanOut.refusedBeforeResponse} of ${fanOut.n}; ` +
        `from the log-out's sending p50 ${fmt(fanOut.fromSendP50Ms, 2)} / p99 ${fmt(fanOut.fromSendP99Ms, 2)} ms`,
    );
    console.log(
      `p50 by process (1…${fanOut.processes - 1}): ${fanOut.p50ByProcessMs.map((v) => fmt(v, 2)).join(", ")} ms`,
    );
  }
  for (const burst of bursts) printBurst(burst);
}

const VIA: Record<BurstResult["via"], string> = {
  logouts: "HTTP log-outs spread over every process",
  database: "committed straight into PostgreSQL by pgbench (the fan-out alone)",
};

/** The burst's table: per second, then per process, then the verdicts. */
function printBurst(burst: BurstResult): void {
  const { driver } = burst;
  console.log(
    `\nBurst: ${fmt(burst.rate)} revocations/s for ${burst.seconds} s over ${burst.perProcess.length} processes, ${VIA[burst.via]}` +
      ` (${fmt(driver.revokedTotal)} of ${fmt(driver.requested)} revoked in ${fmt(driver.elapsedSeconds, 1)} s: ${fmt(burst.achievedPerSecond)}/s;` +
      ` at most ${fmt(driver.maxInFlight)} queued or in flight; all answered: ${driver.drained})`,
  );
  console.log(
    "Probe revocations (log-out on process 0, timed on the others), ms: from the revoking response" +
      " (≤ 0: refused before it arrived), from the log-out's sending, and behind the fastest listener.",
  );
  console.log(
    `${"second".padStart(6)} ${"sent".padStart(6)} ${"revoke p99".padStart(12)} ${"probes".padStart(7)} ${"response p50".padStart(13)} ${"p99".padStart(8)} ${"send p50".padStart(9)} ${"p99".padStart(8)} ${"behind p99".padStart(11)}`,
  );
  for (const probe of burst.probeBySecond) {
    const load = driver.perSecond[probe.second]!;
    console.log(
      `${String(probe.second).padStart(6)} ${fmt(load.sent).padStart(6)} ${fmt(load.p99Ms).padStart(12)} ${String(probe.n).padStart(7)} ${fmt(probe.p50Ms, 1).padStart(13)} ${fmt(probe.p99Ms, 1).padStart(8)} ${fmt(probe.fromSendP50Ms, 1).padStart(9)} ${fmt(probe.fromSendP99Ms, 1).padStart(8)} ${fmt(probe.behindFirstP99Ms, 1).padStart(11)}`,
    );
  }
  const overall = burst.probeOverall;
  console.log(
    `from the response: before the burst ${fmt(burst.probeBeforeMs, 1)}, during p50 ${fmt(overall.p50Ms, 1)} / p99 ${fmt(overall.p99Ms, 1)} / max ${fmt(overall.maxMs, 1)}, ` +
      `after the idle period ${fmt(burst.probeAfterIdleMs, 1)}; resolution ${fmt(overall.resolutionMs, 1)}; ` +
      `notification queue peak ${fmt(burst.notifyQueuePeak * 100, 3)} %`,
  );
  console.log(
    `${"process".padStart(7)} ${"behind 1st ⅓".padStart(13)} ${"last ⅓".padStart(7)} ${"send 1st ⅓".padStart(11)} ${"last ⅓".padStart(7)} ${"RSS MiB before".padStart(15)} ${"peak".padStart(7)} ${"burst end".padStart(10)} ${"after idle".padStart(11)}`,
  );
  for (const p of burst.perProcess) {
    console.log(
      `${String(p.process).padStart(7)} ${fmt(p.firstThird.behindFirstMs, 1).padStart(13)} ${fmt(p.lastThird.behindFirstMs, 1).padStart(7)} ${fmt(p.firstThird.fromSendMs, 1).padStart(11)} ${fmt(p.lastThird.fromSendMs, 1).padStart(7)} ${fmt(p.rssBeforeMb, 1).padStart(15)} ${fmt(p.rssPeakMb, 1).padStart(7)} ${fmt(p.rssBurstEndMb, 1).padStart(10)} ${fmt(p.rssAfterIdleMb, 1).padStart(11)}${p.delayGrew ? "  fell behind" : ""}${p.memorySettled ? "" : "  memory still growing"}`,
    );
  }
  console.log(
    "The in-memory revocation list's size is not observable from outside a process: RSS shows its growth.",
  );
  if (burst.probeFailures.length > 0) {
    console.log(
      `probe revocations that failed: ${burst.probeFailures.length} (first: ${burst.probeFailures[0]!.error})`,
    );
  }
  const { pass, missedRevocations } = burst;
  console.log(
    `kept up (every revocation answered, ≥ 95 % of the rate): ${verdict(pass.keptUp)}; ` +
      `no listener fell behind (last third ≤ 2 × first + 10 ms behind the fastest): ${verdict(pass.noDelayGrowth)}; ` +
      `memory settled (after idle ≤ burst end + 10 %): ${verdict(pass.memorySettled)}; ` +
      `revoked sessions still accepted: ${missedRevocations.stillAccepted} of ${missedRevocations.checked} checks (${verdict(pass.noneMissed)})`,
  );
}
