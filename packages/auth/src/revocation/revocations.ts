import { gt, inArray } from "drizzle-orm";
import type { Clock } from "../clock.js";
import type { Db, Tx } from "../db.js";
import type { CoreTables } from "../schema/core-tables.js";
import type { RevocationEvent } from "./revocation-list.js";
import { RevocationList } from "./revocation-list.js";
import type { RevocationTransport } from "./transport.js";

/**
 * Revocation as not-before events: the state change, the durable event rows and the
 * cross-process announcement commit together; the local in-memory list learns the events
 * right after commit, so the very next request on this process is refused.
 */
export class Revocations {
  readonly list: RevocationList;

  constructor(
    private readonly db: Db,
    private readonly revocationEvents: CoreTables["revocationEvents"],
    private readonly transport: RevocationTransport,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    /** Told when raising a committed revocation's cutoff fails (see `revoke`). */
    private readonly onError: (error: unknown) => void = (error) =>
      console.error("revocation: raising the cutoff failed", error),
  ) {
    this.list = new RevocationList(ttlMs);
  }

  /** Starts receiving other processes' events; loads the recent ones first. */
  start(): Promise<void> {
    return this.transport.start({
      onEvents: (events) => this.list.add(events, this.clock.now()),
      onConnected: () => this.reload(),
      inTransaction: (work) => this.db.transaction(work),
    });
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  /**
   * Runs `change` in a transaction; it returns the events its change implies (none when it
   * changed nothing). Returns what `change` returned.
   *
   * The instant handed to `change` is read before the transaction; a silent reissue that read
   * the session just before the change committed may have minted a token a little later — in
   * the next second, which `iat` cannot tell apart. So once committed, the events' cutoff is
   * raised to the commit instant (in memory at once, then in the stored rows and for the
   * other processes): whatever read the old state minted before it, and is stale. Only when
   * the commit crossed a whole second, though: `iat` is whole seconds, so a cutoff moved
   * within one second changes no token's verdict, and the second transaction (with its
   * NOTIFY, which PostgreSQL serialises) would be wasted on most revocations.
   */
  async revoke<T extends { events: RevocationEvent[] }>(
    change: (tx: Tx, nowMs: number) => Promise<T>,
  ): Promise<T> {
    const now = this.clock.now();
    const { outcome, ids } = await this.db.transaction(async (tx) => {
      const outcome = await change(tx, now);
      if (outcome.events.length === 0) return { outcome, ids: [] };
      const { revocationEvents } = this;
      const inserted = await tx
        .insert(revocationEvents)
        .values(
          outcome.events.map((event) => ({
            scope: event.scope,
            subjectId: event.subjectId,
            notBefore: new Date(event.notBefore),
          })),
        )
        .returning({ id: revocationEvents.id });
      // Old events are the retention job's (revocation-events task), not every revocation's.
      await this.transport.publish(tx, outcome.events);
      return { outcome, ids: inserted.map((row) => row.id) };
    });
    const committedAt = this.clock.now();
    if (!outcome.events.some((event) => crossesASecond(event.notBefore, committedAt))) {
      this.list.add(outcome.events, committedAt);
      return outcome;
    }
    const raised = outcome.events.map((event) => ({
      ...event,
      notBefore: Math.max(event.notBefore, committedAt),
    }));
    this.list.add(raised, committedAt);
    if (ids.length > 0) await this.#storeRaisedCutoff(ids, raised, committedAt);
    return outcome;
  }

  /** The stored rows and the other processes learn the raised cutoff too. */
  async #storeRaisedCutoff(ids: number[], raised: RevocationEvent[], committedAt: number) {
    try {
      const { revocationEvents } = this;
      await this.db.transaction(async (tx) => {
        await tx
          .update(revocationEvents)
          .set({ notBefore: new Date(committedAt) })
          .where(inArray(revocationEvents.id, ids));
        await this.transport.publish(tx, raised);
      });
    } catch (error) {
      // The revocation itself committed and this process refuses the raced tokens; only the
      // other processes keep the earlier cutoff. Not a reason to fail the request.
      this.onError(error);
    }
  }

  /** Loads the events of the last access-token lifetime (start, reconnect). */
  async reload(): Promise<void> {
    const now = this.clock.now();
    const { revocationEvents } = this;
    const rows = await this.db
      .select()
      .from(revocationEvents)
      .where(gt(revocationEvents.notBefore, this.#horizon(now)));
    this.list.add(
      rows.map((row) => ({
        scope: row.scope,
        subjectId: row.subjectId,
        notBefore: row.notBefore.getTime(),
      })),
      now,
    );
  }

  #horizon(nowMs: number): Date {
    return new Date(nowMs - this.ttlMs - 1000);
  }
}

/**
 * True when a whole second lies in `(from, to]`: only then can a token's `iat` (whole seconds)
 * be after `from` yet not after `to`, so that moving a cutoff from one to the other matters.
 */
function crossesASecond(fromMs: number, toMs: number): boolean {
  return Math.floor(toMs / 1000) > Math.floor(fromMs / 1000);
}
