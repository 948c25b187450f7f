import { and, asc, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { Db, Tx } from "../../../db.js";
import type { AccountLifecycleTables, OutboxRow } from "../tables.js";
import type { MessageSeal, SealedContent } from "./seal.js";

/** A message to queue, in the transaction of the change that causes it. */
export type QueuedMail = {
  userId: string | null;
  /** The template's name (for logs and the preparer of a deferred message). */
  kind: string;
  /** One per token and recipient: queuing the same key again does nothing. */
  dedupeKey: string;
  recipient: string;
  /** Rendered now, or `undefined` for a message its preparer renders at delivery time. */
  content: SealedContent | undefined;
};

/** A claimed row and the lease that proves this worker still holds it. */
export type ClaimedMail = { row: OutboxRow; lease: Date };

/** The outbox table's statements, in one place. */
export class Outbox {
  constructor(
    readonly table: AccountLifecycleTables["outbox"],
    private readonly seal: MessageSeal,
  ) {}

  /** Queues a message; `false` when one with this dedupe key already exists. */
  async enqueue(tx: Db | Tx, mail: QueuedMail, nowMs: number): Promise<boolean> {
    const now = new Date(nowMs);
    const rows = await tx
      .insert(this.table)
      .values({
        userId: mail.userId,
        kind: mail.kind,
        dedupeKey: mail.dedupeKey,
        recipient: mail.recipient,
        sealed: mail.content ? this.seal.seal(mail.content, mail.dedupeKey) : null,
        nextAttemptAt: now,
        createdAt: now,
      })
      .onConflictDoNothing({ target: this.table.dedupeKey })
      .returning({ id: this.table.id });
    return rows.length > 0;
  }

  /**
   * Up to `limit` due messages, each leased to the caller until `now + leaseMs` (rows another
   * worker holds are skipped, not waited for); every claim counts as an attempt.
   */
  async claimDue(db: Db, nowMs: number, limit: number, leaseMs: number): Promise<ClaimedMail[]> {
    const t = this.table;
    const now = new Date(nowMs);
    const lease = new Date(nowMs + leaseMs);
    return db.transaction(async (tx) => {
      const due = await tx
        .select({ id: t.id })
        .from(t)
        .where(
          and(
            isNull(t.sentAt),
            isNull(t.failedAt),
            lte(t.nextAttemptAt, now),
            or(isNull(t.lockedUntil), lte(t.lockedUntil, now)),
          ),
        )
        .orderBy(asc(t.nextAttemptAt), asc(t.id))
        .limit(limit)
        .for("update", { skipLocked: true });
      if (due.length === 0) return [];
      const rows = await tx
        .update(t)
        .set({ lockedUntil: lease, attempts: sql`${t.attempts} + 1` })
        .where(
          sql`${t.id} in (${sql.join(
            due.map((row) => sql`${row.id}`),
            sql`, `,
          )})`,
        )
        .returning();
      return rows.map((row) => ({ row, lease }));
    });
  }

  open(row: OutboxRow): SealedContent | undefined {
    return row.sealed ? this.seal.open(row.sealed, row.dedupeKey) : undefined;
  }

  /** A deferred message, now rendered (still held under the same lease). */
  async prepared(
    tx: Tx,
    claimed: ClaimedMail,
    userId: string,
    content: SealedContent,
  ): Promise<boolean> {
    const rows = await tx
      .update(this.table)
      .set({ userId, sealed: this.seal.seal(content, claimed.row.dedupeKey) })
      .where(this.#held(claimed))
      .returning({ id: this.table.id });
    return rows.length > 0;
  }

  /** Delivered: the sealed message is dropped, the row stays (for retention) as a receipt. */
  async delivered(db: Db | Tx, claimed: ClaimedMail, nowMs: number): Promise<void> {
    await db
      .update(this.table)
      .set({ sentAt: new Date(nowMs), sealed: null, lockedUntil: null, lastError: null })
      .where(this.#held(claimed));
  }

  /** Nothing to send after all (a reset asked for an email with no account). */
  async discard(db: Db | Tx, claimed: ClaimedMail): Promise<void> {
    await db.delete(this.table).where(this.#held(claimed));
  }

  /** Failed this time: retried at `retryAtMs`, or given up (`retryAtMs` null). */
  async failed(
    db: Db | Tx,
    claimed: ClaimedMail,
    error: string,
    nowMs: number,
    retryAtMs: number | null,
  ): Promise<void> {
    await db
      .update(this.table)
      .set(
        retryAtMs === null
          ? { failedAt: new Date(nowMs), sealed: null, lockedUntil: null, lastError: error }
          : { nextAttemptAt: new Date(retryAtMs), lockedUntil: null, lastError: error },
      )
      .where(this.#held(claimed));
  }

  /** Still ours: the lease this worker took, not one a later worker took after it expired. */
  #held(claimed: ClaimedMail) {
    return and(eq(this.table.id, claimed.row.id), eq(this.table.lockedUntil, claimed.lease));
  }
}
