/**
 * One timed revocation across API processes: the session is cached on every process, revoked
 * on the first, and each other process is probed with the access token alone (so only its
 * in-memory revocation list can refuse it: no session cookie, no database lookup) until it
 * answers 401.
 */
import type { KeepAliveClient } from "./keep-alive-client.js";
import type { PooledSession } from "./session-pool.js";

export type Refusal = {
  /** Index of the probed process in the fleet. */
  process: number;
  /** From the revoking response's arrival to the arrival of the first 401 (an upper bound). */
  delayMs: number;
  /**
   * Width of the interval the refusal is known to lie in: from sending the last request that
   * was still answered 200 (or from the revoking response) to receiving the first 401.
   */
  windowMs: number;
  /** Requests it took, the 401 included (1: refused on the very first probe). */
  probes: number;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes `client` with `cookie` every `pollMs` (after each reply) until it answers 401.
 *
 * @example
 * const refusal = await timeUntilRefused(client, session.accessOnly, since, { pollMs: 1 });
 */
export async function timeUntilRefused(
  client: KeepAliveClient,
  cookie: string,
  since: number,
  { pollMs, timeoutMs = 10_000 }: { pollMs: number; timeoutMs?: number },
): Promise<Omit<Refusal, "process">> {
  let lastAcceptedSentAt = since;
  for (let probes = 1; ; probes += 1) {
    const reply = await client.send("GET", "/api/auth/session", cookie);
    if (reply.status === 401) {
      return {
        delayMs: reply.receivedAt - since,
        windowMs: reply.receivedAt - Math.max(since, lastAcceptedSentAt),
        probes,
      };
    }
    if (reply.status !== 200) throw new Error(`${client.url}: probe answered ${reply.status}`);
    lastAcceptedSentAt = reply.sentAt;
    if (reply.receivedAt - since > timeoutMs) {
      throw new Error(`${client.url} still accepts a revoked token after ${timeoutMs} ms`);
    }
    if (pollMs > 0) await sleep(pollMs);
  }
}

/**
 * Caches `session` on every process, revokes it (single-session log-out) on `clients[0]`, and
 * times the refusal on every other process, all probed at once.
 *
 * @example
 * const refusals = await revocationTrial(clients, session, { pollMs: 1 });
 * // refusals.length === clients.length - 1
 */
export async function revocationTrial(
  clients: readonly KeepAliveClient[],
  session: PooledSession,
  { pollMs }: { pollMs: number },
): Promise<Refusal[]> {
  const cached = await Promise.all(
    clients.map((client) => client.send("GET", "/api/auth/session", session.accessOnly)),
  );
  const refusedEarly = cached.findIndex((reply) => reply.status !== 200);
  if (refusedEarly >= 0) {
    throw new Error(
      `process ${refusedEarly} answered ${cached[refusedEarly]!.status} before the revocation`,
    );
  }
  const logout = await clients[0]!.send("POST", "/api/auth/logout", session.accessOnly);
  if (logout.status !== 204) throw new Error(`log-out answered ${logout.status}`);
  const since = logout.receivedAt;
  return Promise.all(
    clients.slice(1).map(async (client, i) => ({
      process: i + 1,
      ...(await timeUntilRefused(client, session.accessOnly, since, { pollMs })),
    })),
  );
}

/** Nearest-rank summary of delays, in ms, rounded to 0.01. */
export function summariseRefusals(refusals: readonly Refusal[]) {
  const round = (value: number) => Math.round(value * 100) / 100;
  const pick = (values: number[], fraction: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
  };
  const delays = refusals.map((refusal) => refusal.delayMs);
  return {
    n: refusals.length,
    p50Ms: round(pick(delays, 0.5)),
    p99Ms: round(pick(delays, 0.99)),
    maxMs: round(Math.max(...delays)),
    /** Median width of the interval each refusal is known to lie in: the resolution. */
    resolutionMs: round(
      pick(
        refusals.map((refusal) => refusal.windowMs),
        0.5,
      ),
    ),
    refusedOnFirstProbe: refusals.filter((refusal) => refusal.probes === 1).length,
  };
}
