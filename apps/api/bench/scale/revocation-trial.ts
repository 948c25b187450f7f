/**
 * One timed revocation across API processes: the session is cached on every process, revoked
 * (single-session log-out) on the first, and each other process is probed with the access token
 * alone (so only its in-memory revocation list can refuse it: no session cookie, no database
 * lookup) until it answers 401.
 *
 * Probing starts when the log-out is sent, not when its answer arrives: the notification can
 * beat the revoker's own response (which also waits for the transaction that raises the cutoff
 * to the commit instant, decision 015), and a probe started afterwards could only say
 * "already refused". Each refusal is then known to lie between the sending of the
 * last request still answered 200 and the arrival of the first 401; the delay reported is that
 * upper bound minus the arrival of the revoking response (≤ 0: refused before it arrived).
 */
import { performance } from "node:perf_hooks";
import type { KeepAliveClient } from "./keep-alive-client.js";
import type { PooledSession } from "./session-pool.js";

export type Refusal = {
  /** Index of the probed process in the fleet. */
  process: number;
  /** First 401's arrival − the revoking response's arrival, in ms (an upper bound; may be < 0). */
  delayMs: number;
  /** First 401's arrival − the sending of the log-out: includes the revoker's own queueing. */
  fromSendMs: number;
  /**
   * First 401's arrival − the earliest first 401 of the same trial on any process: how far
   * this listener trails the fastest one, whatever the revoker and the database did.
   */
  behindFirstMs: number;
  /** Width of the interval the refusal is known to lie in (the measurement's resolution). */
  windowMs: number;
};

type Observation = { lastAcceptedSentAt: number; refusedAt: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Probes `client` with `cookie` until it answers 401, pausing `pollMs` after each 200.
 *
 * @example
 * const { refusedAt } = await pollUntilRefused(client, session.accessOnly, { pollMs: 1 });
 */
export async function pollUntilRefused(
  client: KeepAliveClient,
  cookie: string,
  { pollMs, timeoutMs = 10_000 }: { pollMs: number; timeoutMs?: number },
): Promise<Observation> {
  const startedAt = performance.now();
  let lastAcceptedSentAt = startedAt;
  for (;;) {
    const reply = await client.send("GET", "/api/auth/session", cookie);
    if (reply.status === 401) return { lastAcceptedSentAt, refusedAt: reply.receivedAt };
    if (reply.status !== 200) throw new Error(`${client.url}: probe answered ${reply.status}`);
    lastAcceptedSentAt = reply.sentAt;
    if (reply.receivedAt - startedAt > timeoutMs) {
      throw new Error(`${client.url} still accepts a revoked token after ${timeoutMs} ms`);
    }
    if (pollMs > 0) await sleep(pollMs);
  }
}

/**
 * Caches `session` on every process, revokes it on `clients[0]`, and times the refusal on
 * every other process.
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
  const early = cached.findIndex((reply) => reply.status !== 200);
  if (early >= 0) throw new Error(`process ${early} answered ${cached[early]!.status} before`);
  const logout = clients[0]!.send("POST", "/api/auth/logout", session.accessOnly);
  const observations = Promise.all(
    clients.slice(1).map((client) => pollUntilRefused(client, session.accessOnly, { pollMs })),
  );
  // A probe that fails while the log-out is awaited must not become an unhandled rejection
  // (it would end the bench without dropping its scratch database); it is thrown below.
  observations.catch(() => {});
  const answer = await logout;
  if (answer.status !== 204) throw new Error(`log-out answered ${answer.status}`);
  const seen = await observations;
  const first = Math.min(...seen.map((observation) => observation.refusedAt));
  return seen.map((observation, i) => ({
    process: i + 1,
    delayMs: observation.refusedAt - answer.receivedAt,
    fromSendMs: observation.refusedAt - answer.sentAt,
    behindFirstMs: observation.refusedAt - first,
    windowMs: observation.refusedAt - observation.lastAcceptedSentAt,
  }));
}

/** Nearest-rank summary of refusals, in ms, rounded to 0.01. */
export function summariseRefusals(refusals: readonly Refusal[]) {
  const round = (value: number) => Math.round(value * 100) / 100;
  const pick = (values: number[], fraction: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? NaN;
  };
  const delays = refusals.map((refusal) => refusal.delayMs);
  const fromSend = refusals.map((refusal) => refusal.fromSendMs);
  const behind = refusals.map((refusal) => refusal.behindFirstMs);
  return {
    n: refusals.length,
    p50Ms: round(pick(delays, 0.5)),
    p99Ms: round(pick(delays, 0.99)),
    maxMs: round(delays.length ? Math.max(...delays) : NaN),
    fromSendP50Ms: round(pick(fromSend, 0.5)),
    fromSendP99Ms: round(pick(fromSend, 0.99)),
    behindFirstP50Ms: round(pick(behind, 0.5)),
    behindFirstP99Ms: round(pick(behind, 0.99)),
    /** Median width of the interval each refusal is known to lie in: the resolution. */
    resolutionMs: round(
      pick(
        refusals.map((refusal) => refusal.windowMs),
        0.5,
      ),
    ),
    /** Refused before the revoking response reached its client. */
    refusedBeforeResponse: refusals.filter((refusal) => refusal.delayMs <= 0).length,
  };
}
