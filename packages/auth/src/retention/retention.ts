import { sql } from "drizzle-orm";
import type { Clock } from "../clock.js";
import type { Db, Tx } from "../db.js";

/** What one batch of a prune task is given. */
export type RetentionBatch = {
  /** The batch's own transaction; the retention lock is already held in it. */
  tx: Tx;
  /** The injected clock's time when the batch started, in ms. */
  nowMs: number;
  /** The most rows the batch may delete (the `batchSize` option). */
  limit: number;
};

/**
 * How a batch went: the rows it deleted, and whether the task is done for this run. A plain
 * number `n` means "done when `n < limit`" — right for `DELETE … WHERE … IN (SELECT … LIMIT n)`.
 * A task that sweeps a table in key order (deleting nothing in some windows) returns
 * `{ deleted, done }`.
 */
export type RetentionBatchResult = number | { deleted: number; done: boolean };

/**
 * One kind of row to prune. `prune` deletes **one small batch** (at most `limit` rows, in
 * one or a few statements bounded by `limit`) and returns how it went; the job calls it again,
 * in a new transaction, until it is done. It must be idempotent and must only delete rows that
 * nothing needs any more: several processes may run the job over one database (one at a time).
 *
 * @example
 * const expiredCodes: RetentionTask = {
 *   name: "expired-codes",
 *   prune: async ({ tx, nowMs, limit }) => {
 *     const rows = await tx.execute(sql`
 *       delete from ${codes} where ${codes.id} in (
 *         select ${codes.id} from ${codes}
 *         where ${codes.expiresAt} < ${new Date(nowMs)} limit ${limit})
 *       returning 1`);
 *     return rowCount(rows);
 *   },
 * };
 */
export type RetentionTask = {
  /** Lower-case letters, digits and `-`; a plugin's tasks are reported as `<plugin id>/<name>`. */
  name: string;
  prune(batch: RetentionBatch): Promise<RetentionBatchResult>;
};

/** What a run did. */
export type RetentionReport = {
  /** Rows deleted per task (every task that ran, 0 included). */
  deleted: Record<string, number>;
  /** Batches (transactions) run. */
  batches: number;
  /**
   * Another process held the retention lock: this run stopped and left the work to it (on
   * PostgreSQL with several processes; never on PGlite).
   */
  yieldedToAnotherProcess: boolean;
  /** Tasks that threw; each error went to `onError` and the run went on with the next task. */
  failed: string[];
};

/** Options of the retention job (`retention` in `createAuth`'s options). */
export type RetentionOptions = {
  /**
   * Start the periodic job in `createAuth` (true). With `false`, call `auth.retention.start()`
   * where the server starts, or `auth.retention.runOnce()` from a CLI or a cron job.
   */
  autoStart?: boolean | undefined;
  /** Seconds between the end of one run and the start of the next (3600). */
  intervalSeconds?: number | undefined;
  /** Rows deleted (or sessions examined) per batch, one short transaction each (1000). */
  batchSize?: number | undefined;
  /**
   * How long a dead session (revoked, past its absolute expiry, or idle past the idle
   * timeout) is kept before it and its token history are deleted, in seconds (1 day; at
   * least 60). Nothing reads a dead session; the margin covers clock skew between processes
   * and requests in flight.
   */
  deadSessionGraceSeconds?: number | undefined;
  /** Told of a failed batch (the job goes on with the next task): `console.error`. */
  onError?: ((error: unknown, task: string) => void) | undefined;
};

export const RETENTION_DEFAULTS = {
  autoStart: true,
  intervalSeconds: 3600,
  batchSize: 1000,
  deadSessionGraceSeconds: 24 * 60 * 60,
} as const;

/** The most rows a batch may delete: bigger batches hold row locks and WAL too long. */
export const MAX_RETENTION_BATCH_SIZE = 10_000;
/** Below this, a session pruned at once could race a reissue that just rotated its token. */
export const MIN_DEAD_SESSION_GRACE_SECONDS = 60;

const defaultOnError = (error: unknown, task: string) =>
  console.error(`auth: the retention task ${task} failed; it is retried at the next run`, error);

/**
 * The rows `RETURNING` gave back from `tx.execute`, for any driver (postgres.js: an array;
 * PGlite and node-postgres: `rows`).
 *
 * @example
 * const deleted = rowCount(await tx.execute(sql`delete from ${codes} … returning 1`));
 */
export function rowCount(result: unknown): number {
  if (Array.isArray(result)) return result.length;
  const record = result as { rows?: unknown[]; rowCount?: number | null; affectedRows?: number };
  return record.rows?.length ?? record.affectedRows ?? record.rowCount ?? 0;
}

/** The rows of `db.execute`, for any driver. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const LOCKED = Symbol("locked");

/**
 * The retention job: prunes what nothing needs any more (dead sessions and their token
 * history, old revocation events, expired rate-limit rows, and every plugin's own tasks), in
 * small batches, each in its own short transaction that first takes
 * `pg_try_advisory_xact_lock`: over one PostgreSQL database only one process deletes at a
 * time, and a process that finds the lock taken ends its run (the other is doing the work).
 * Errors go to `onError`; they never reach a request.
 *
 * @example
 * const job = new RetentionJob(db, tasks, systemClock, { lockName: "hybrid-auth-retention:" });
 * const report = await job.runOnce(); // { deleted: { sessions: 1200, … }, batches: 3, … }
 * job.start(); // then every hour; `await job.stop()` on shutdown
 */
export class RetentionJob {
  readonly #intervalMs: number;
  readonly #batchSize: number;
  readonly #onError: (error: unknown, task: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #current: Promise<RetentionReport> | undefined;
  #stopped = false;

  constructor(
    private readonly db: Db,
    private readonly tasks: readonly RetentionTask[],
    private readonly clock: Clock,
    private readonly options: RetentionOptions & { lockName: string },
  ) {
    this.#intervalMs = (options.intervalSeconds ?? RETENTION_DEFAULTS.intervalSeconds) * 1000;
    this.#batchSize = options.batchSize ?? RETENTION_DEFAULTS.batchSize;
    this.#onError = options.onError ?? defaultOnError;
  }

  /** The task names, in the order they run. */
  get taskNames(): string[] {
    return this.tasks.map((task) => task.name);
  }

  /** Whether the periodic job is scheduled. */
  get started(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Schedules the periodic job (idempotent): a first run 30–60 s after start (or within the
   * interval, if shorter; the jitter spreads processes that start together), then one run
   * `intervalSeconds` after the end of the previous one. The timer does not keep the process
   * alive.
   */
  start(): void {
    if (this.#timer) return;
    this.#stopped = false;
    const first = Math.min(this.#intervalMs, 60_000) * (0.5 + Math.random() / 2);
    this.#schedule(first);
  }

  /** Unschedules the job and waits for a run in progress to end (after its current batch). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#current?.catch(() => undefined);
  }

  /**
   * One full run now, every task until it is done (or another process holds the lock); for
   * tests, a CLI or a cron job. A run already in progress is joined, not doubled.
   */
  runOnce(): Promise<RetentionReport> {
    if (this.#current) return this.#current;
    const run = this.#run().finally(() => {
      this.#current = undefined;
    });
    this.#current = run;
    return run;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      void this.runOnce()
        .catch((error: unknown) => this.#onError(error, "retention"))
        .finally(() => {
          if (!this.#stopped) this.#schedule(this.#intervalMs);
        });
    }, delayMs);
    this.#timer.unref();
  }

  async #run(): Promise<RetentionReport> {
    const report: RetentionReport = {
      deleted: {},
      batches: 0,
      yieldedToAnotherProcess: false,
      failed: [],
    };
    for (const task of this.tasks) {
      report.deleted[task.name] = 0;
      try {
        for (;;) {
          if (this.#stopped) return report;
          const result = await this.#batch(task);
          if (result === LOCKED) {
            report.yieldedToAnotherProcess = true;
            return report;
          }
          report.batches += 1;
          const { deleted, done } =
            typeof result === "number"
              ? { deleted: result, done: result < this.#batchSize }
              : result;
          report.deleted[task.name] = (report.deleted[task.name] ?? 0) + deleted;
          if (done) break;
          await yieldToEventLoop();
        }
      } catch (error) {
        report.failed.push(task.name);
        this.#onError(error, task.name);
      }
    }
    return report;
  }

  #batch(task: RetentionTask): Promise<RetentionBatchResult | typeof LOCKED> {
    return this.db.transaction(async (tx) => {
      const [row] = rowsOf<{ locked: boolean }>(
        await tx.execute(
          sql`select pg_try_advisory_xact_lock(hashtext(${this.options.lockName})) as "locked"`,
        ),
      );
      if (!row?.locked) return LOCKED;
      return task.prune({ tx, nowMs: this.clock.now(), limit: this.#batchSize });
    });
  }
}
