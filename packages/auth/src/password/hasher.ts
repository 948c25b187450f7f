import { availableParallelism } from "node:os";
import { hash, verify } from "@node-rs/argon2";

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

/**
 * Hashes and verifies with explicit argon2id parameters on libuv's thread pool (never on the
 * event loop). A semaphore bounds how many run at once, so a login flood queues instead of
 * allocating 19 MiB per request.
 */
export class PasswordHasher {
  #dummyHash: Promise<string> | undefined;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    readonly parameters: Argon2Parameters = OWASP_ARGON2_BASELINE,
    /**
     * Hashes at once. The default leaves one core to the event loop, so a sign-in flood
     * queues behind argon2 instead of starving every authenticated request.
     */
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
    return this.#bounded(() => hash(password, { algorithm: ARGON2ID, ...this.parameters }));
  }

  /** Never throws for a malformed stored hash: it simply does not match. */
  verify(storedHash: string, password: string): Promise<boolean> {
    return this.#bounded(() => verify(storedHash, password).catch(() => false));
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

  async #bounded<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.maxConcurrent) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running -= 1;
    }
  }
}
