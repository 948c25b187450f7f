import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { ARGON2ID, libuvArgon2, type Argon2Executor } from "./argon2-executor.js";
import type { Argon2Parameters } from "./hasher.js";

/**
 * The worker's whole program (CommonJS, run with `eval`, so the package needs no separate
 * worker file in its sources, its build or a bundle). It lowers its own thread's priority —
 * on Linux `setpriority(PRIO_PROCESS, 0, …)` applies to the calling thread only, so the event
 * loop keeps its own — then runs argon2id synchronously on that thread, one job at a time.
 * Threads started after `setPriority` inherit the nice value; the `require` comes first so that
 * whatever argon2's binding starts keeps normal priority.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { setPriority } = require("node:os");
const argon2 = require(workerData.argon2Path);
setPriority(0, workerData.nice);
parentPort.on("message", (job) => {
  let reply;
  try {
    reply = job.op === "hash"
      ? { id: job.id, value: argon2.hashSync(job.password, { algorithm: job.algorithm, ...job.parameters }) }
      : { id: job.id, value: safeVerify(job.stored, job.password) };
  } catch (error) {
    reply = { id: job.id, error: String((error && error.message) || error) };
  }
  parentPort.postMessage(reply);
});
function safeVerify(stored, password) {
  try { return argon2.verifySync(stored, password); } catch { return false; }
}
`;

type Job =
  | { op: "hash"; password: string; parameters: Argon2Parameters }
  | { op: "verify"; stored: string; password: string };

type Pending = { job: Job; resolve: (value: never) => void; reject: (error: Error) => void };

type Reply = { id: number; value?: string | boolean; error?: string };

/** One worker thread and the job it runs (at most one: the hasher's semaphore bounds them). */
type Lane = { worker: Worker; running: Map<number, Pending> };

/**
 * Runs argon2id on worker threads whose OS priority is lowered (`nice`), so that on a
 * machine with one core a sign-in flood yields the core to the event loop instead of
 * splitting it evenly with it (decision 008). Only on Linux, where a thread's nice value is
 * its own: elsewhere (`createLowPriorityArgon2` returns the libuv executor) lowering it would
 * lower the whole process.
 *
 * Nothing is lost if a thread cannot start or dies: its jobs, and every job after, run on
 * libuv's thread pool at normal priority, and `onFailure` hears about it once.
 *
 * @example
 * const executor = createLowPriorityArgon2({ nice: 10, threads: 1 });
 * const hasher = new PasswordHasher(OWASP_ARGON2_BASELINE, 1, 16, executor);
 */
export class LowPriorityArgon2Threads implements Argon2Executor {
  readonly #lanes: Lane[] = [];
  readonly #queue: { id: number; pending: Pending }[] = [];
  #nextId = 1;
  #failed = false;

  constructor(
    readonly nice: number,
    readonly threads: number,
    private readonly onFailure: (error: Error) => void,
  ) {}

  hash(password: string, parameters: Argon2Parameters): Promise<string> {
    return this.#run({ op: "hash", password, parameters });
  }

  verify(storedHash: string, password: string): Promise<boolean> {
    return this.#run({ op: "verify", stored: storedHash, password });
  }

  /**
   * Stops the threads; jobs running or waiting finish on libuv's pool. For tests and shutdown
   * (a later job starts the threads again).
   */
  async close(): Promise<void> {
    const lanes = this.#lanes.splice(0);
    const waiting = this.#queue.splice(0);
    await Promise.all(lanes.map((lane) => lane.worker.terminate()));
    for (const lane of lanes) this.#fallBack(lane.running);
    this.#fallBack(waiting.map(({ pending }) => pending));
  }

  #run<T>(job: Job): Promise<T> {
    if (this.#failed) return runOnLibuv(job) as Promise<T>;
    return new Promise<T>((resolve, reject) => {
      const pending = { job, resolve, reject } as Pending;
      this.#queue.push({ id: this.#nextId++, pending });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length > 0 && !this.#failed) {
      const lane = this.#idleLane();
      if (!lane) return;
      const { id, pending } = this.#queue.shift()!;
      lane.running.set(id, pending);
      lane.worker.ref();
      try {
        lane.worker.postMessage({ id, ...pending.job, algorithm: ARGON2ID });
      } catch {
        // A job that cannot be sent (a value that does not clone) still gets its answer.
        lane.running.delete(id);
        if (lane.running.size === 0) lane.worker.unref();
        this.#fallBack([pending]);
      }
    }
  }

  #idleLane(): Lane | undefined {
    const idle = this.#lanes.find((lane) => lane.running.size === 0);
    if (idle || this.#lanes.length >= this.threads) return idle;
    return this.#startLane();
  }

  #startLane(): Lane | undefined {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { nice: this.nice, argon2Path: argon2Path() },
        // The program above is all it runs: no loaders (tsx, test runners) in this thread.
        execArgv: [],
      });
    } catch (error) {
      this.#fail(asError(error));
      return undefined;
    }
    const lane: Lane = { worker, running: new Map() };
    worker.unref();
    worker.on("message", (reply: Reply) => this.#settle(lane, reply));
    worker.on("error", (error) => this.#fail(error, lane));
    worker.on("exit", (code) => {
      if (this.#lanes.includes(lane) || lane.running.size > 0) {
        this.#fail(new Error(`argon2 thread exited (${code})`), lane);
      }
    });
    this.#lanes.push(lane);
    return lane;
  }

  #settle(lane: Lane, reply: Reply): void {
    const pending = lane.running.get(reply.id);
    if (!pending) return;
    lane.running.delete(reply.id);
    if (lane.running.size === 0) lane.worker.unref();
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve(reply.value as never);
    this.#dispatch();
  }

  /**
   * A thread failed: every thread stops and from now on everything runs on libuv's pool;
   * nothing running or waiting is dropped. Called from the workers' event listeners, so it
   * never throws.
   */
  #fail(error: Error, failed?: Lane): void {
    const first = !this.#failed;
    this.#failed = true;
    const lanes = this.#lanes.splice(0);
    if (failed && !lanes.includes(failed)) lanes.push(failed);
    for (const lane of lanes) {
      void lane.worker.terminate();
      this.#fallBack(lane.running);
    }
    this.#fallBack(this.#queue.splice(0).map(({ pending }) => pending));
    if (!first) return;
    try {
      this.onFailure(error);
    } catch {
      // A failing report must not turn a handled failure into an uncaught exception.
    }
  }

  /** Runs jobs on libuv's pool; a lane's map of running jobs is emptied as they are handed over. */
  #fallBack(jobs: Map<number, Pending> | Pending[]): void {
    for (const pending of jobs.values()) {
      runOnLibuv(pending.job).then(pending.resolve as (value: unknown) => void, pending.reject);
    }
    if (jobs instanceof Map) jobs.clear();
  }
}

function runOnLibuv(job: Job): Promise<string | boolean> {
  if (job.op === "verify") return libuvArgon2.verify(job.stored, job.password);
  return libuvArgon2.hash(job.password, job.parameters);
}

let resolvedArgon2Path: string | undefined;
function argon2Path(): string {
  resolvedArgon2Path ??= createRequire(import.meta.url).resolve("@node-rs/argon2");
  return resolvedArgon2Path;
}

const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));

/** The nice value of argon2's threads unless `hashThreadNice` says otherwise (decision 008). */
export const DEFAULT_HASH_THREAD_NICE = 10;

/**
 * The executor for `nice`: low-priority threads on Linux when `nice` > 0, else libuv's pool.
 *
 * @example
 * createLowPriorityArgon2({ nice: 10, threads: 1 }); // Linux: nice-10 threads
 * createLowPriorityArgon2({ nice: 0, threads: 1 }); // libuv's pool, normal priority
 */
export function createLowPriorityArgon2(options: {
  nice: number;
  threads: number;
  platform?: NodeJS.Platform;
  onFailure?: (error: Error) => void;
}): Argon2Executor {
  const platform = options.platform ?? process.platform;
  if (options.nice <= 0 || platform !== "linux") return libuvArgon2;
  // One set of threads per process and setting: every auth instance (tests make hundreds)
  // shares them, as they share the machine's cores.
  const key = `${options.nice}:${options.threads}`;
  let shared = sharedThreads.get(key);
  if (!shared) {
    shared = new LowPriorityArgon2Threads(
      options.nice,
      options.threads,
      options.onFailure ??
        ((error) =>
          console.error("argon2: low-priority threads failed; hashing on libuv's pool", error)),
    );
    sharedThreads.set(key, shared);
  }
  return shared;
}

const sharedThreads = new Map<string, LowPriorityArgon2Threads>();
