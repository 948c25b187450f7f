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
   * (a success gives its point back); sign-ups and password checks (changes, step-ups) always count.
   */
  signInsPerClient: { points: number; seconds: number };
  signUpsPerClient: { points: number; seconds: number };
  passwordChangesPerClient: { points: number; seconds: number };
  /**
   * Unsuccessful sign-ins per account from browsers that never signed in to it (no device
   * cookie), whatever their addresses: the limit on distributed guessing. Once reached, such
   * browsers wait out the window; browsers the owner used before are exempt (decision 014).
   */
  unknownDeviceFailuresPerAccount: { points: number; seconds: number };
  /**
   * Wrong passwords given to re-authenticate (a password or email change, deleting the
   * account) per account, whatever the address: a stolen session guessing the password from
   * many addresses meets it. Past it, 429 until the window ends.
   */
  reauthFailuresPerAccount: { points: number; seconds: number };
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
  reauthFailuresPerAccount: { points: 10, seconds: 15 * 60 },
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

/** 429 + `Retry-After`; `instead` names what the client can do meanwhile. */
export function tooManyAttempts(
  msBeforeNext: number,
  what = "attempts",
  instead?: string,
): ProblemError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const wait = instead ? `${instead}, or try again` : "Try again";
  return new ProblemError({
    status: 429,
    detail: `Too many ${what}. ${wait} in ${seconds} s.`,
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

/** One keyed limit (see {@link AbuseLimits.limit}); an `undefined` key is not counted. */
export type KeyedLimit = {
  /** Counts one point for `key`, or throws 429 when it has none left. */
  consume(key: string | undefined): Promise<void>;
  /** Gives one point back. */
  refund(key: string | undefined): Promise<void>;
};

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
  readonly #reauthFailures: RateLimiterAbstract;
  readonly #store: LimiterStore;
  readonly #rateLimits: CoreTables["rateLimits"];

  constructor(
    store: LimiterStore,
    private readonly options: AbuseLimitOptions = DEFAULT_ABUSE_LIMITS,
    rateLimits: CoreTables["rateLimits"] = createCoreTables().rateLimits,
  ) {
    this.#store = store;
    this.#rateLimits = rateLimits;
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
    const reauth = options.reauthFailuresPerAccount;
    this.#reauthFailures = limiter("auth-reauth-failures", reauth.points, reauth.seconds);
  }

  /**
   * Throws 429 when this client must wait, or this account from this client, or the account
   * for unknown browsers. Every attempt is counted *before* its password is checked (a burst
   * of concurrent guesses cannot slip past a count that is only raised after hashing), and
   * the outcome settles it: {@link signInSucceeded} and {@link signInAbandoned} give the
   * points back, {@link signInFailed} keeps them.
   *
   * A known device (a valid device cookie for this account) is counted per device, up to
   * `maxFailures`, and is exempt from the per-account+client cool-down and the account-wide
   * limit: an attacker sharing the owner's address, or guessing from many, cannot lock the
   * owner's own browsers out. Past its own budget a device counts as unknown.
   */
  async beforeSignIn(
    client: LimiterClient,
    account: string,
    knownDevice?: string,
  ): Promise<SignInOrigin> {
    await consumeOr429(this.#signIns, client, "sign-in attempts");
    if (knownDevice !== undefined) {
      try {
        await this.#deviceFailures.consume(`${account}|${knownDevice}`);
        return { knownDevice };
      } catch (error) {
        if (!(error instanceof RateLimiterRes)) throw error;
      }
    }
    await this.#refuseWhileLockedOut(streakKey(account, client));
    try {
      await this.#unknownDeviceFailures.consume(account);
    } catch (error) {
      if (!(error instanceof RateLimiterRes)) throw error;
      throw tooManyAttempts(
        error.msBeforeNext,
        "failed sign-ins to this account from new devices",
        "Sign in from a device you used before",
      );
    }
    return { knownDevice: undefined };
  }

  /** The password was wrong: the attempt's points stay spent; the cool-down may start. */
  async signInFailed(client: LimiterClient, account: string): Promise<void> {
    await this.recordFailure(client, account);
  }

  /**
   * The password was right: every point the attempt took is given back (people sharing an
   * address sign in successfully; the owner's success is no reason to tighten anything), and
   * the account+client streak ends.
   */
  async signInSucceeded(
    client: LimiterClient,
    account: string,
    origin: SignInOrigin,
  ): Promise<void> {
    await Promise.all([
      this.recordSuccess(client, account),
      this.signInAbandoned(client, account, origin),
    ]);
  }

  /** The attempt was never judged (the server shed it): it counts as nothing. */
  async signInAbandoned(
    client: LimiterClient,
    account: string,
    origin: SignInOrigin,
  ): Promise<void> {
    const perAccount =
      origin.knownDevice !== undefined
        ? this.#deviceFailures.reward(`${account}|${origin.knownDevice}`, 1)
        : this.#unknownDeviceFailures.reward(account, 1);
    await Promise.all([
      perAccount,
      client === undefined ? undefined : this.#signIns.reward(client, 1),
    ]);
  }

  async beforeSignUp(client: LimiterClient): Promise<void> {
    await consumeOr429(this.#signUps, client, "sign-ups from this network");
  }

  /**
   * Before checking a signed-in user's password (a password or email change, deleting the
   * account): per client, the account+client cool-down, and the account's wrong passwords
   * from every address ({@link reauthFailed}).
   */
  async beforePasswordCheck(client: LimiterClient, userId: string): Promise<void> {
    await consumeOr429(this.#passwordChanges, client, "password checks");
    await this.#refuseWhileLockedOut(streakKey(`user:${userId}`, client));
    const failures = await this.#reauthFailures.get(`user:${userId}`);
    if (failures && failures.consumedPoints >= this.options.reauthFailuresPerAccount.points) {
      throw tooManyAttempts(failures.msBeforeNext, "wrong passwords for this account");
    }
  }

  /** A signed-in user's password check failed: counts per account+client and per account. */
  async reauthFailed(client: LimiterClient, userId: string): Promise<void> {
    await Promise.all([
      this.recordFailure(client, `user:${userId}`),
      this.#reauthFailures.penalty(`user:${userId}`, 1),
    ]);
  }

  /** A failed sign-in (or wrong current password): may start or lengthen a cool-down. */
  async recordFailure(client: LimiterClient, account: string): Promise<void> {
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

  /** The right password: the account+client failure streak ends. */
  async recordSuccess(client: LimiterClient, account: string): Promise<void> {
    const key = streakKey(account, client);
    await Promise.all([this.#failures.delete(key), this.#lockouts.delete(key)]);
  }

  /**
   * A limit of a plugin's own, in the same store as the core's (shared by every process when
   * the store is): `points` per `seconds` per key, 429 + `Retry-After` past it.
   *
   * @example
   * const mails = limits.limit("mail-per-email", { points: 3, seconds: 900 }, "emails");
   * await mails.consume(email);
   */
  limit(name: string, rate: { points: number; seconds: number }, what: string): KeyedLimit {
    const limiter = createLimiter(
      this.#store,
      { keyPrefix: `plugin-${name}`, points: rate.points, duration: rate.seconds },
      this.#rateLimits,
    );
    return {
      consume: (key) => consumeOr429(limiter, key, what),
      refund: async (key) => void (key === undefined ? undefined : await limiter.reward(key, 1)),
    };
  }

  async #refuseWhileLockedOut(key: string): Promise<void> {
    const streak = await this.#failures.get(key);
    if (streak && streak.consumedPoints >= this.options.maxFailures) {
      throw tooManyAttempts(streak.msBeforeNext, "sign-in attempts");
    }
  }
}
