/**
 * Revocation fan-out: `trials` single-session log-outs on process 0, each timed until every
 * other process refuses the token (revocation-trial.ts). The trials run one after another, so
 * each measures the path on an otherwise idle fleet: commit, NOTIFY, delivery to every
 * listening process, its list update.
 */
import { keepAliveClient } from "./keep-alive-client.js";
import { revocationTrial, summariseRefusals, type Refusal } from "./revocation-trial.js";
import type { SessionPool } from "./session-pool.js";

export type FanOutResult = ReturnType<typeof summariseRefusals> & {
  processes: number;
  trials: number;
  pollMs: number;
  /** Median delay per probed process (1…N−1), to spot one slow listener. */
  p50ByProcessMs: number[];
};

/**
 * @example
 * const result = await measureFanOut(fleet.map((s) => s.url), pool, { trials: 50, pollMs: 1 });
 * console.log(result.p50Ms, result.p99Ms);
 */
export async function measureFanOut(
  urls: readonly string[],
  pool: SessionPool,
  options: { trials: number; pollMs: number },
): Promise<FanOutResult> {
  const clients = urls.map((url) => keepAliveClient(url));
  try {
    const sessions = await pool.open(options.trials);
    const refusals: Refusal[] = [];
    for (const session of sessions) {
      refusals.push(...(await revocationTrial(clients, session, options)));
      // Let the second, raised-cutoff notification of this log-out settle first.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const p50ByProcessMs = urls.slice(1).map((_, i) => {
      const own = refusals.filter((refusal) => refusal.process === i + 1);
      return summariseRefusals(own).p50Ms;
    });
    return {
      processes: urls.length,
      trials: options.trials,
      pollMs: options.pollMs,
      ...summariseRefusals(refusals),
      p50ByProcessMs,
    };
  } finally {
    for (const client of clients) client.close();
  }
}
