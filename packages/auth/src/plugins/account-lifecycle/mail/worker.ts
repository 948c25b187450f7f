import type { Clock } from "../../../clock.js";
import type { Db, Tx } from "../../../db.js";
import type { PluginWorker } from "../../plugin.js";
import type { OutboxRow } from "../tables.js";
import type { Mailer } from "./mailer.js";
import type { ClaimedMail, Outbox } from "./outbox.js";
import type { SealedContent } from "./seal.js";

/** How the worker delivers: see `AccountLifecycleOptions.delivery`. */
export type DeliveryOptions = {
  /** How often the worker looks for due mail when nothing nudged it (ms, default 2000). */
  pollIntervalMs: number;
  /** Messages claimed per round (default 20). */
  batchSize: number;
  /** A claimed message is the worker's for this long (ms, default 120 000). */
  leaseMs: number;
  /** The first retry waits this long, each further one twice as long… (ms, default 30 000) */
  retryBaseMs: number;
  /** …up to this (ms, default one hour). */
  retryMaxMs: number;
  /** Attempts before a message is given up (default 16: about ten hours of retries). */
  maxAttempts: number;
};

export const DELIVERY_DEFAULTS: DeliveryOptions = {
  pollIntervalMs: 2000,
  batchSize: 20,
  leaseMs: 120_000,
  retryBaseMs: 30_000,
  retryMaxMs: 60 * 60 * 1000,
  maxAttempts: 16,
};

/**
 * Renders a deferred message inside a transaction (a reset link: its token is minted only
 * when the mail is sent): the user it is for and the content, or `undefined` to discard it.
 */
export type MailPreparer = (
  tx: Tx,
  row: OutboxRow,
) => Promise<{ userId: string; content: SealedContent } | undefined>;

/** What one round did. */
export type DeliveryRound = { sent: number; retried: number; failed: number; discarded: number };

/** SMTP's permanent failures (5xx): retrying will not help. */
function isPermanent(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === "number" && code >= 500 && code < 600;
}

const describe = (error: unknown) =>
  (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Delivers the outbox: claims due messages under a lease, renders deferred ones, sends each
 * through the mailer, and records the outcome — sent, retried with exponential back-off, or
 * given up after `maxAttempts` (reported to `onError`). Safe with several processes: a row is
 * claimed by one worker at a time (`FOR UPDATE SKIP LOCKED` + lease), and every outcome is
 * written only while the lease is still this worker's.
 */
export class MailWorker implements PluginWorker {
  readonly name = "mail";
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<DeliveryRound> | undefined;
  #again = false;

  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly mailer: Mailer,
    private readonly clock: Clock,
    private readonly options: DeliveryOptions,
    private readonly compose: {
      from: string;
      messageId: (row: OutboxRow) => string;
      preparers: Readonly<Record<string, MailPreparer>>;
    },
    private readonly onError: (error: unknown, row: OutboxRow) => void,
  ) {}

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.nudge(), this.options.pollIntervalMs);
    this.#timer.unref?.();
    this.nudge();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /**
   * Delivers soon (a message was just queued), without waiting for the next poll; only while
   * started (tests and CLIs call `runOnce` themselves).
   */
  nudge(): void {
    if (!this.#timer) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    void this.runOnce().catch(() => undefined);
  }

  /**
   * One round: every due message claimed (in batches) and tried once. A round already running
   * is waited for first, so what was queued before this call is in the round it resolves with.
   */
  async runOnce(): Promise<DeliveryRound> {
    while (this.#running) await this.#running.catch(() => undefined);
    const round = this.#deliverDue().finally(() => {
      this.#running = undefined;
      if (this.#again && this.#timer) {
        this.#again = false;
        this.nudge();
      }
    });
    this.#running = round;
    return round;
  }

  async #deliverDue(): Promise<DeliveryRound> {
    const total: DeliveryRound = { sent: 0, retried: 0, failed: 0, discarded: 0 };
    for (;;) {
      const claimed = await this.outbox.claimDue(
        this.db,
        this.clock.now(),
        this.options.batchSize,
        this.options.leaseMs,
      );
      for (const mail of claimed) total[await this.#deliver(mail)] += 1;
      if (claimed.length < this.options.batchSize) return total;
    }
  }

  async #deliver(claimed: ClaimedMail): Promise<keyof DeliveryRound> {
    try {
      const content = await this.#content(claimed);
      if (!content) {
        await this.outbox.discard(this.db, claimed);
        return "discarded";
      }
      await this.mailer.send({
        from: this.compose.from,
        to: claimed.row.recipient,
        messageId: this.compose.messageId(claimed.row),
        ...content,
      });
    } catch (error) {
      return this.#failed(claimed, error);
    }
    await this.outbox.delivered(this.db, claimed, this.clock.now());
    return "sent";
  }

  async #content(claimed: ClaimedMail): Promise<SealedContent | undefined> {
    if (claimed.row.sealed) {
      const content = this.outbox.open(claimed.row);
      if (!content)
        throw Object.assign(new Error("no key opens this message"), { responseCode: 554 });
      return content;
    }
    const prepare = this.compose.preparers[claimed.row.kind];
    if (!prepare)
      throw Object.assign(new Error(`no preparer for ${claimed.row.kind}`), { responseCode: 554 });
    return this.db.transaction(async (tx) => {
      const prepared = await prepare(tx, claimed.row);
      if (!prepared) return undefined;
      await this.outbox.prepared(tx, claimed, prepared.userId, prepared.content);
      return prepared.content;
    });
  }

  async #failed(claimed: ClaimedMail, error: unknown): Promise<keyof DeliveryRound> {
    const now = this.clock.now();
    const { attempts } = claimed.row;
    const giveUp = isPermanent(error) || attempts >= this.options.maxAttempts;
    const delay = Math.min(
      this.options.retryBaseMs * 2 ** Math.max(0, attempts - 1),
      this.options.retryMaxMs,
    );
    await this.outbox.failed(this.db, claimed, describe(error), now, giveUp ? null : now + delay);
    if (giveUp) this.onError(error, claimed.row);
    return giveUp ? "failed" : "retried";
  }
}
