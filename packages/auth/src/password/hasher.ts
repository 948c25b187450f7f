import { availableParallelism } from "node:os";
import { Piscina } from "piscina";

/** `Algorithm.Argon2id`; the package exports it as a const enum, unusable here. */
const ARGON2ID = 2;

/** argon2id parameters. The defaults are the OWASP baseline: 19 MiB, 2 passes, 1 lane. */
export type Argon2Parameters = { memoryCost: number; timeCost: number; parallelism: number };

export const OWASP_ARGON2_BASELINE: Argon2Parameters = {
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
};

const ENCODED_PARAMS = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/;

const WORKER = new URL("./argon2-worker.mjs", import.meta.url).href;

/**
 * Hashes and verifies with explicit argon2id parameters, never on the event loop: on a pool
 * of worker threads (piscina) that run at the lowest CPU priority (argon2-worker.mjs), at
 * most `maxConcurrent` at once, so a login flood queues instead of allocating 19 MiB per
 * request and cannot take a core away from authenticated traffic.
 */
export class PasswordHasher {
  #dummyHash: Promise<string> | undefined;
  #pool: Piscina | undefined;

  constructor(
    readonly parameters: Argon2Parameters = OWASP_ARGON2_BASELINE,
    /** Hashes at once. The default leaves one core's worth of hashing room to the event loop. */
    readonly maxConcurrent = Math.max(1, availableParallelism() - 1),
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
    const options = { algorithm: ARGON2ID, ...this.parameters };
    return this.#run<string>("hash", { password, options });
  }

  /** Never throws for a malformed stored hash: it simply does not match. */
  verify(storedHash: string, password: string): Promise<boolean> {
    return this.#run<boolean>("verify", { storedHash, password });
  }

  /**
   * Spends the same work as a real verification for an email that has no account, so neither
   * the answer nor its timing tells an attacker which emails exist.
   */
  async verifyDummy(password: string): Promise<false> {
    this.#dummyHash ??= this.hash("dummy password for unknown accounts");
    await this.verify(await this.#dummyHash, password);
    return false;
  }

  /** True when a stored hash was made with other (older) parameters than the current ones. */
  needsRehash(storedHash: string): boolean {
    const match = ENCODED_PARAMS.exec(storedHash);
    if (!match) return true;
    const [, m, t, p] = match.map(Number);
    const { memoryCost, timeCost, parallelism } = this.parameters;
    return m !== memoryCost || t !== timeCost || p !== parallelism;
  }

  /** Stops the worker threads (idle ones also stop by themselves after a minute). */
  async close(): Promise<void> {
    const pool = this.#pool;
    this.#pool = undefined;
    await pool?.destroy();
  }

  #run<T>(name: "hash" | "verify", task: object): Promise<T> {
    // Started on first use: most processes that build an auth instance (tests, tools) never
    // hash, and an idle pool keeps no thread.
    this.#pool ??= new Piscina({
      filename: WORKER,
      minThreads: 0,
      maxThreads: this.maxConcurrent,
      idleTimeout: 60_000,
    });
    return this.#pool.run(task, { name }) as Promise<T>;
  }
}
