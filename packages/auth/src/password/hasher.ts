import { availableParallelism } from "node:os";
import { ProblemError } from "../http/problem.js";
import { libuvArgon2, type Argon2Executor } from "./argon2-executor.js";

/** argon2id parameters. The defaults are the OWASP baseline: 19 MiB, 2 passes, 1 lane. */
export type Argon2Parameters = { memoryCost: number; timeCost: number; parallelism: number };

export const OWASP_ARGON2_BASELINE: Argon2Parameters = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

/**
 * 503 + `Retry-After`: more password work is waiting than the server can do in reasonable
 * time. Shedding at once keeps a flood from making every sign-in wait for seconds.
 */
export class HashingBusyError extends ProblemError {
  constructor(retryAfterSeconds: number) {
    super({
      status: 503,
      detail: `The server is busy checking passwords. Try again in ${retryAfterSeconds} s.`,
      headers: { "Retry-After": String(retryAfterSeconds) },
    });
  }
}

/** Cores − 1, at least 1: one core is left to the event loop. */
export const defaultHashConcurrency = () => Math.max(1, availableParallelism() - 1);

const ENCODED_PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

/**
 * Hashes and verifies with explicit argon2id parameters on libuv's thread pool (never on the
 * event loop). A semaphore bounds how many run at once (a login flood does not allocate
 * 19 MiB per request) and a bounded queue sheds the rest with {@link HashingBusyError}, so a
 * flood costs a legitimate sign-in a retry, not seconds of waiting.
 *
 * @example
 * const hasher = new PasswordHasher(OWASP_ARGON2_BASELINE, 1, 32);
 * const stored = await hasher.hash("correct horse battery staple");
 * await hasher.verify(stored, "correct horse battery staple"); // true, or HashingBusyError
 */
export class PasswordHasher {
  #dummyHash: Promise<string> | undefined;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  /** A moving average of one computation, ms: how long the queue takes to drain. */
  #averageMs = 50;

  constructor(
    readonly parameters: Argon2Parameters = OWASP_ARGON2_BASELINE,
    /**
     * Hashes at once. The default leaves one core to the event loop, so a sign-in flood
     * queues behind argon2 instead of starving every authenticated request.
     */
    readonly maxConcurrent = defaultHashConcurrency(),
    /**
     * Computations allowed to wait for a slot; more are refused at once with 503. The default
     * (16 per slot) keeps the wait of the last one in line under about a second.
     */
    readonly maxQueued = 16 * maxConcurrent,
    /** Where the computations run: libuv's pool, or low-priority threads (decision 008). */
    private readonly executor: Argon2Executor = libuvArgon2,
  ) {
    if (
      parameters.memoryCost < OWASP_ARGON2_BASELINE.memoryCost ||
      parameters.timeCost < OWASP_ARGON2_BASELINE.timeCost ||
      parameters.parallelism < 1
    ) {
      throw new Error("argon2id parameters below the OWASP baseline (m=19456, t=2, p=1)");
    }
  }

  hash(password: string): Promise<string> {
    return this.#bounded(() => this.executor.hash(password, this.parameters));
  }

  /** Never throws for a malformed stored hash: it simply does not match. */
  verify(storedHash: string, password: string): Promise<boolean> {
    return this.#bounded(() => this.executor.verify(storedHash, password));
  }

  /**
   * Spends the same work as a real verification for an email that has no account, so neither
   * the answer nor its timing tells an attacker which emails exist.
   */
  async verifyDummy(password: string): Promise<false> {
    // Made once, outside the queue: a first call that is shed must not poison it.
    this.#dummyHash ??= libuvArgon2
      .hash("dummy password for unknown accounts", this.parameters)
      .catch((error: unknown) => {
        this.#dummyHash = undefined; // the next unknown email tries again
        throw error;
      });
    await this.verify(await this.#dummyHash, password);
    return false;
  }

  /**
   * Throws {@link HashingBusyError} when the queue is full, so a request that would be shed
   * anyway is refused before it does any other work (limits, database reads).
   */
  assertCapacity(): void {
    if (this.#running >= this.maxConcurrent && this.#waiting.length >= this.maxQueued) {
      throw new HashingBusyError(this.#retryAfter());
    }
  }

  /** True when a stored hash was made with other (older) parameters than the current ones. */
  needsRehash(storedHash: string): boolean {
    const match = ENCODED_PARAMS.exec(storedHash);
    if (!match) return true;
    const [, m, t, p] = match.map(Number);
    const { memoryCost, timeCost, parallelism } = this.parameters;
    return m !== memoryCost || t !== timeCost || p !== parallelism;
  }

  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxConcurrent) {
      this.assertCapacity();
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    const started = performance.now();
    try {
      return await work();
    } finally {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (performance.now() - started);
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }

  /** Seconds until the queue as it stands has drained, 1–30. */
  #retryAfter(): number {
    const drainMs = ((this.#waiting.length + 1) * this.#averageMs) / this.maxConcurrent;
    return Math.min(30, Math.max(1, Math.ceil(drainMs / 1000)));
  }
}
