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
const verdict = (ok: boolean) => (ok ? "pass" : "FAIL");

/**
 * Prints whichever parts ran.
 *
 * @example
 * printScaleReport({ workers, fanOut: undefined, burst: undefined });
 */
export function printScaleReport(results: {
  workers: WorkersResult | undefined;
  fanOut: FanOutResult | undefined;
  burst: BurstResult | undefined;
}): void {
  const { workers, fanOut, burst } = results;
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
        `refused before the revoking response arrived: ${fanOut.refusedBeforeResponse} of ${fanOut.n}`,
    );
    console.log(
      `p50 by process (1…${fanOut.processes - 1}): ${fanOut.p50ByProcessMs.map((v) => fmt(v, 2)).join(", ")} ms`,
    );
  }
  if (burst) {
    const { driver } = burst;
    console.log(
      `\nBurst: ${fmt(burst.rate)} revocations/s for ${burst.seconds} s over ${burst.perProcess.length} processes` +
        ` (${fmt(driver.revokedTotal)} of ${fmt(driver.requested)} revoked in ${fmt(driver.elapsedSeconds, 1)} s: ${fmt(burst.achievedPerSecond)}/s; max ${fmt(driver.maxInFlight)} in flight; all answered: ${driver.drained})`,
    );
    console.log(
      `${"second".padStart(6)} ${"sent".padStart(6)} ${"revoked".padStart(8)} ${"log-out p99 ms".padStart(15)} ${"fan-out p50 ms".padStart(15)} ${"p99 ms".padStart(8)}`,
    );
    burst.probeBySecond.forEach((probe, second) => {
      const load = driver.perSecond[second]!;
      console.log(
        `${String(second).padStart(6)} ${fmt(load.sent).padStart(6)} ${fmt(load.revoked).padStart(8)} ${fmt(load.p99Ms, 1).padStart(15)} ${fmt(probe.p50Ms, 2).padStart(15)} ${fmt(probe.p99Ms, 2).padStart(8)}`,
      );
    });
    console.log(
      `fan-out before the burst ${fmt(burst.probeBeforeMs, 2)} ms, during p50 ${fmt(burst.probeOverall.p50Ms, 2)} / p99 ${fmt(burst.probeOverall.p99Ms, 2)} ms, after idle ${fmt(burst.probeAfterIdleMs, 2)} ms; ` +
        `notification queue peak ${fmt(burst.notifyQueuePeak * 100, 3)} %`,
    );
    console.log(
      `${"process".padStart(7)} ${"1st s ms".padStart(9)} ${"last s ms".padStart(10)} ${"RSS before".padStart(11)} ${"peak".padStart(7)} ${"burst end".padStart(10)} ${"after idle".padStart(11)}`,
    );
    for (const p of burst.perProcess) {
      console.log(
        `${String(p.process).padStart(7)} ${fmt(p.firstSecondMs, 2).padStart(9)} ${fmt(p.lastSecondMs, 2).padStart(10)} ${fmt(p.rssBeforeMb, 1).padStart(11)} ${fmt(p.rssPeakMb, 1).padStart(7)} ${fmt(p.rssBurstEndMb, 1).padStart(10)} ${fmt(p.rssAfterIdleMb, 1).padStart(11)}${p.delayGrew ? "  delay grew" : ""}${p.memorySettled ? "" : "  memory still growing"}`,
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
      `kept up (every log-out answered, ≥ 95 % of the rate): ${verdict(pass.keptUp)}; ` +
        `no process's delay grew (last second ≤ 2 × first + 10 ms): ${verdict(pass.noDelayGrowth)}; ` +
        `memory settled (after idle ≤ burst end + 10 %): ${verdict(pass.memorySettled)}; ` +
        `revoked sessions still accepted: ${missedRevocations.stillAccepted} of ${missedRevocations.checked} checks (${verdict(pass.noneMissed)})`,
    );
  }
}
