import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { ProblemError } from "./http/problem";
import type { ThrottleOptions } from "./options";

function tooManyAttempts(msBeforeNext: number): ProblemError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ProblemError({
    status: 429,
    detail: `Too many sign-in attempts. Try again in ${seconds} s.`,
    headers: { "Retry-After": String(seconds) },
  });
}

/**
 * Sign-in throttling with rate-limiter-flexible: consecutive failures per account *and*
 * client (so an attacker elsewhere cannot lock the owner out), plus attempts per client.
 */
export class SignInThrottle {
  readonly #failures: RateLimiterMemory;
  readonly #attempts: RateLimiterMemory;

  constructor(private readonly options: ThrottleOptions) {
    this.#failures = new RateLimiterMemory({
      keyPrefix: "signin-failures",
      points: options.maxFailures,
      duration: options.failureWindowSeconds,
    });
    this.#attempts = new RateLimiterMemory({
      keyPrefix: "signin-attempts",
      points: options.maxAttemptsPerClient,
      duration: options.attemptWindowSeconds,
    });
  }

  /** Throws 429 when this client, or this account from this client, must wait. */
  async beforeAttempt(client: string, account: string): Promise<void> {
    try {
      await this.#attempts.consume(client);
    } catch (error) {
      if (error instanceof RateLimiterRes) throw tooManyAttempts(error.msBeforeNext);
      throw error;
    }
    const failures = await this.#failures.get(`${account}|${client}`);
    if (failures && failures.consumedPoints >= this.options.maxFailures) {
      throw tooManyAttempts(failures.msBeforeNext);
    }
  }

  async recordFailure(client: string, account: string): Promise<void> {
    await this.#failures.consume(`${account}|${client}`).catch((error: unknown) => {
      if (!(error instanceof RateLimiterRes)) throw error;
    });
  }

  async recordSuccess(client: string, account: string): Promise<void> {
    await this.#failures.delete(`${account}|${client}`);
  }
}
