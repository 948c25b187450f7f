import { gt, lt } from "drizzle-orm";
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
  ) {
    this.list = new RevocationList(ttlMs);
  }

  /** Starts receiving other processes' events; loads the recent ones first. */
  start(): Promise<void> {
    return this.transport.start({
      onEvents: (events) => this.list.add(events, this.clock.now()),
      onConnected: () => this.reload(),
    });
  }

  stop(): Promise<void> {
    return this.transport.stop();
  }

  /**
   * Runs `change` in a transaction; it returns the events its change implies (none when it
   * changed nothing). Returns what `change` returned.
   */
  async revoke<T extends { events: RevocationEvent[] }>(
    change: (tx: Tx, nowMs: number) => Promise<T>,
  ): Promise<T> {
    const now = this.clock.now();
    const result = await this.db.transaction(async (tx) => {
      const outcome = await change(tx, now);
      if (outcome.events.length > 0) {
        const { revocationEvents } = this;
        await tx.insert(revocationEvents).values(
          outcome.events.map((event) => ({
            scope: event.scope,
            subjectId: event.subjectId,
            notBefore: new Date(event.notBefore),
          })),
        );
        await tx.delete(revocationEvents).where(lt(revocationEvents.notBefore, this.#horizon(now)));
        await this.transport.publish(tx, outcome.events);
      }
      return outcome;
    });
    this.list.add(result.events, this.clock.now());
    return result;
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
