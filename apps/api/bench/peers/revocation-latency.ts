import { median } from "../load.js";
import type { CookieJar } from "./cookie-jar.js";

/** One auth server seen as a browser sees it, for the revocation-latency probe. */
export type RevocationTarget = {
  /**
   * Client A: a fresh account signed up (a browser's cookie jar); client B: the same account
   * signed in again, from another browser.
   */
  signInTwice(index: number): Promise<{ a: CookieJar; b: CookieJar }>;
  /** One request to the session endpoint as `jar`'s browser: true when the session served. */
  served(jar: CookieJar): Promise<boolean>;
  /** B signs every other session of the account out (A's among them). */
  revokeOthers(b: CookieJar): Promise<void>;
};

export type RevocationResult = {
  tries: number;
  capMs: number;
  /** Per try that was refused before the cap: ms from B's answer to A's first refusal. */
  refusedAfterMs: number[];
  /**
   * Per try: how many of A's requests after B's answer were still served (0: refused at the
   * next request). The ms figures include the refusing request's own response time.
   */
  servedAfterRevocation: number[];
  /** Tries in which A's session was still served when the cap was reached. */
  stillServed: number;
  p50Ms: number | undefined;
  maxMs: number | undefined;
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * How long a revoked session keeps being served: per try, A signs in and makes one request (so
 * every cache holds its session), B revokes A's session, then A asks for its session every
 * `pollMs` — sending all its cookies and taking every `Set-Cookie` in, as a browser does —
 * until refused or `capMs` after B's answer. Tries run one after the other.
 *
 * @example
 * const result = await revocationLatency(target, { tries: 9, capMs: 10_000, pollMs: 20 });
 * describeRevocation(result);
 * // "p50 4.1 ms, max 6.3 ms; refused at the next request in 9 of 9" or "> 10 s (still served in 9 of 9)"
 */
export async function revocationLatency(
  target: RevocationTarget,
  options: { tries: number; capMs: number; pollMs: number },
): Promise<RevocationResult> {
  const { tries, capMs, pollMs } = options;
  if (!(tries > 0 && capMs > 0 && pollMs >= 0)) throw new Error("invalid revocation options");
  const refusedAfterMs: number[] = [];
  const servedAfterRevocation: number[] = [];
  let stillServed = 0;
  for (let i = 0; i < tries; i += 1) {
    const { a, b } = await target.signInTwice(i);
    if (!(await target.served(a))) throw new Error("a fresh session was not served");
    await target.revokeOthers(b);
    const revokedAt = performance.now();
    let refusedAt: number | undefined;
    let served = 0;
    while (performance.now() - revokedAt < capMs) {
      if (!(await target.served(a))) {
        refusedAt = performance.now();
        break;
      }
      served += 1;
      await sleep(pollMs);
    }
    servedAfterRevocation.push(served);
    if (refusedAt === undefined) stillServed += 1;
    else refusedAfterMs.push(refusedAt - revokedAt);
  }
  return {
    tries,
    capMs,
    refusedAfterMs,
    servedAfterRevocation,
    stillServed,
    p50Ms: refusedAfterMs.length > 0 ? median(refusedAfterMs) : undefined,
    maxMs: refusedAfterMs.length > 0 ? Math.max(...refusedAfterMs) : undefined,
  };
}

/**
 * One line for a {@link RevocationResult}.
 *
 * @example
 * describeRevocation({ tries: 9, stillServed: 9, capMs: 10_000, ... }); // "> 10 s (still served in 9 of 9)"
 */
export function describeRevocation(result: RevocationResult): string {
  const cap = `${result.capMs / 1000} s`;
  if (result.p50Ms === undefined) {
    return `> ${cap} (still served in ${result.stillServed} of ${result.tries})`;
  }
  const refused = `p50 ${result.p50Ms.toFixed(1)} ms, max ${result.maxMs!.toFixed(1)} ms`;
  const next = result.servedAfterRevocation.filter((served) => served === 0).length;
  const atNext = `refused at the next request in ${next} of ${result.tries}`;
  return result.stillServed === 0
    ? `${refused}; ${atNext}`
    : `${refused}; ${atNext}; still served after ${cap} in ${result.stillServed} of ${result.tries}`;
}
