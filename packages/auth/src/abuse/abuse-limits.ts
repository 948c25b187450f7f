import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ProblemError } from "../http/problem.js";
import { createCoreTables, type CoreTables } from "../schema/core-tables.js";
import { createLimiter, type LimiterStore } from "./limiter-store.js";

export type AbuseLimitOptions = {
  /** Consecutive failed sign-ins per account *and* client before a cool-down. */
  maxFailures: number;
  /** How long a failure streak is remembered, seconds. */
  failureWindowSeconds: number;
  /** The first cool-down, seconds; each further one doubles, up to `maxLockoutSeconds`. */
  baseLockoutSeconds: number;
  maxLockoutSeconds: number;
  /**
   * Per client (IP address), whatever the account. Sign-in attempts count until they succeed
   * (a success gives its point back); sign-ups and password changes always count.
   */
  signInsPerClient: { points: number; seconds: number };
  signUpsPerClient: { points: number; seconds: number };
  passwordChangesPerClient: { points: number; seconds: number };
  /**
   * Failed sign-ins per account from browsers that never signed in to it (no device cookie),
   * whatever their addresses: the limit on distributed guessing. Once reached, such browsers
   * wait out the window; browsers the owner used before are exempt (decision 014).
   */
  unknownDeviceFailuresPerAccount: { points: number; seconds: number };
};

export const DEFAULT_ABUSE_LIMITS: AbuseLimitOptions = {
  maxFailures: 5,
  failureWindowSeconds: 15 * 60,
  baseLockoutSeconds: 60,
  maxLockoutSeconds: 60 * 60,
  signInsPerClient: { points: 30, seconds: 5 * 60 },
  signUpsPerClient: { points: 30, seconds: 5 * 60 },
  passwordChangesPerClient: { points: 10, seconds: 15 * 60 },
  unknownDeviceFailuresPerAccount: { points: 10, seconds: 15 * 60 },
};

/**
 * A request's client for the limits: its address, or `undefined` when the runtime gave none
 * (in-process requests). Per-client limits then do not apply, rather than putting every such
 * request in one shared bucket; account cool-downs still do.
 */
export type LimiterClient = string | undefined;

const streakKey = (account: string, client: LimiterClient) => `${account}|${client ?? "?"}`;

/**
 * How a sign-in attempt counts against the account: from a browser that signed in to it
 * before (its device id, from the device cookie), or from an unknown one.
 */
export type SignInOrigin = { knownDevice: string } | { knownDevice: undefined };

export function tooManyAttempts(msBeforeNext: number, what = "attempts"): ProblemError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ProblemError({
    status: 429,
    detail: `Too many ${what}. Try again in ${seconds} s.`,
    headers: { "Retry-After": String(seconds) },
  });
}

async function consumeOr429(limiter: RateLimiterAbstract, key: LimiterClient, what: string) {
  if (key === undefined) return;
  try {
    await limiter.consume(key);
  } catch (error) {
    if (error instanceof RateLimiterRes) throw tooManyAttempts(error.msBeforeNext, what);
    throw error;
  }
}

/**
 * Brute-force and abuse limits, counted by rate-limiter-flexible in a shared store.
 * Failure streaks are keyed by account *and* client, so an attacker elsewhere cannot lock the
 * owner out; each cool-down of the same streak doubles, up to a cap.
 */
export class AbuseLimits {
  readonly #failures: RateLimiterAbstract;
  readonly #lockouts: RateLimiterAbstract;
  readonly #signIns: RateLimiterAbstract;
  readonly #signUps: RateLimiterAbstract;
  readonly #passwordChanges: RateLimiterAbstract;
  readonly #unknownDeviceFailures: RateLimiterAbstract;
  readonly #deviceFailures: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    private readonly options: AbuseLimitOptions = DEFAULT_ABUSE_LIMITS,
    rateLimits: CoreTables["rateLimits"] = createCoreTables().rateLimits,
  ) {
    const limiter = (keyPrefix: string, points: number, duration: number) =>
      createLimiter(store, { keyPrefix, points, duration }, rateLimits);
    this.#failures = limiter("auth-failures", options.maxFailures, options.failureWindowSeconds);
    this.#lockouts = limiter("auth-lockouts", 1_000_000, 24 * 60 * 60);
    const { signInsPerClient: a, signUpsPerClient: b, passwordChangesPerClient: c } = options;
    this.#signIns = limiter("auth-sign-ins", a.points, a.seconds);
    this.#signUps = limiter("auth-sign-ups", b.points, b.seconds);
    this.#passwordChanges = limiter("auth-password-changes", c.points, c.seconds);
    const unknown = options.unknownDeviceFailuresPerAccount;
    this.#unknownDeviceFailures = limiter("auth-unknown-device", unknown.points, unknown.seconds);
    this.#deviceFailures = limiter(
      "auth-device-failures",
      options.maxFailures,
      options.failureWindowSeconds,
    );
  }

  /**
   * Throws 429 when this client, or this account from this client, must wait; or when the
   * account has had too many failures from unknown browsers and this is one. Answers how the
   * attempt counts: a known device that has not itself failed too often, or an unknown one.
   */
  async beforeSignIn(
    client: LimiterClient,
    account: string,
    knownDevice?: string,
  ): Promise<SignInOrigin> {
    await consumeOr429(this.#signIns, client, "sign-in attempts");
    await this.#refuseWhileLockedOut(streakKey(account, client));
    if (knownDevice !== undefined) {
      const failures = await this.#deviceFailures.get(`${account}|${knownDevice}`);
      if (!failures || failures.consumedPoints < this.options.maxFailures) return { knownDevice };
    }
    const failures = await this.#unknownDeviceFailures.get(account);
    if (
      failures &&
      failures.consumedPoints >= this.options.unknownDeviceFailuresPerAccount.points
    ) {
      const seconds = Math.max(1, Math.ceil(failures.msBeforeNext / 1000));
      throw new ProblemError({
        status: 429,
        detail:
          `Too many failed sign-ins to this account from new devices. Sign in from a device ` +
          `you used before, or try again in ${seconds} s.`,
        headers: { "Retry-After": String(seconds) },
      });
    }
    return { knownDevice: undefined };
  }

  async beforeSignUp(client: LimiterClient): Promise<void> {
    await consumeOr429(this.#signUps, client, "sign-ups from this network");
  }

  async beforePasswordChange(client: LimiterClient, userId: string): Promise<void> {
    await consumeOr429(this.#passwordChanges, client, "password changes");
    await this.#refuseWhileLockedOut(streakKey(`user:${userId}`, client));
  }

  /**
   * A failed sign-in (or wrong current password): may start or lengthen a cool-down. A sign-in
   * failure also counts against the account: per device for a known browser, account-wide for
   * unknown ones.
   */
  async recordFailure(
    client: LimiterClient,
    account: string,
    origin?: SignInOrigin,
  ): Promise<void> {
    if (origin?.knownDevice !== undefined) {
      await this.#deviceFailures.penalty(`${account}|${origin.knownDevice}`);
    } else if (origin) {
      await this.#unknownDeviceFailures.penalty(account);
    }
    const key = streakKey(account, client);
    const streak = await this.#failures.penalty(key);
    if (streak.consumedPoints < this.options.maxFailures) return;
    const lockouts = (await this.#lockouts.penalty(key)).consumedPoints;
    const seconds = Math.min(
      this.options.baseLockoutSeconds * 2 ** (lockouts - 1),
      this.options.maxLockoutSeconds,
    );
    await this.#failures.block(key, seconds);
  }

  /**
   * A successful sign-in gives its per-client point back: the cap is about guessing, and
   * people sharing an address (an office behind one NAT) sign in successfully.
   */
  async refundSignIn(client: LimiterClient): Promise<void> {
    if (client !== undefined) await this.#signIns.reward(client, 1);
  }

  async recordSuccess(client: LimiterClient, account: string): Promise<void> {
    const key = streakKey(account, client);
    await Promise.all([this.#failures.delete(key), this.#lockouts.delete(key)]);
  }

  async #refuseWhileLockedOut(key: string): Promise<void> {
    const streak = await this.#failures.get(key);
    if (streak && streak.consumedPoints >= this.options.maxFailures) {
      throw tooManyAttempts(streak.msBeforeNext, "sign-in attempts");
    }
  }
}
