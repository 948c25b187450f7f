import type { AccessClaims } from "../tokens/access-token.js";

export type RevocationScope = "session" | "user";

/** "Access tokens of this session (or user) issued before `notBefore` are stale." */
export type RevocationEvent = {
  scope: RevocationScope;
  subjectId: string;
  /** Milliseconds since the epoch. */
  notBefore: number;
};

/**
 * The in-memory not-before events that make the hot path refuse revoked tokens without a
 * database query. An event matters only while tokens issued before it can still be unexpired,
 * i.e. for one access-token lifetime; older ones are pruned, so memory stays bounded by the
 * number of revocations in that window.
 */
export class RevocationList {
  readonly #bySession = new Map<string, number>();
  readonly #byUser = new Map<string, number>();
  #nextPruneAt = 0;

  constructor(readonly ttlMs: number) {}

  add(events: readonly RevocationEvent[], nowMs: number): void {
    for (const event of events) {
      const map = event.scope === "session" ? this.#bySession : this.#byUser;
      const known = map.get(event.subjectId);
      if (known === undefined || known < event.notBefore) map.set(event.subjectId, event.notBefore);
    }
    this.prune(nowMs);
  }

  /**
   * True when an event postdates the token. `iat` has whole-second precision, so a token from
   * the same second as an event counts as stale: safe, at worst one extra session lookup.
   */
  isStale(claims: Pick<AccessClaims, "userId" | "sessionId" | "issuedAt">): boolean {
    const issuedAtMs = claims.issuedAt * 1000;
    const sessionCutoff = this.#bySession.get(claims.sessionId);
    if (sessionCutoff !== undefined && issuedAtMs <= sessionCutoff) return true;
    const userCutoff = this.#byUser.get(claims.userId);
    return userCutoff !== undefined && issuedAtMs <= userCutoff;
  }

  /** Drops events older than one token lifetime; runs at most once a second. */
  prune(nowMs: number): void {
    if (nowMs < this.#nextPruneAt) return;
    this.#nextPruneAt = nowMs + 1000;
    const horizon = nowMs - this.ttlMs - 1000;
    for (const map of [this.#bySession, this.#byUser]) {
      for (const [subject, notBefore] of map) if (notBefore < horizon) map.delete(subject);
    }
  }

  get size(): number {
    return this.#bySession.size + this.#byUser.size;
  }
}
