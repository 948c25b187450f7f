import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { testRedisUrl, type TestDatabase } from "@hybrid-auth/db/testing";
import { createAuthTestDatabase } from "../tests/test-database.js";
import { ProblemError } from "../http/problem.js";
import { AbuseLimits, DEFAULT_ABUSE_LIMITS, type AbuseLimitOptions } from "./abuse-limits.js";
import type { LimiterStore } from "./limiter-store.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(() => Promise.all(cleanups.map((cleanup) => cleanup())));

const FAST: AbuseLimitOptions = {
  ...DEFAULT_ABUSE_LIMITS,
  maxFailures: 2,
  baseLockoutSeconds: 1,
  maxLockoutSeconds: 4,
};

async function retryAfterOf(attempt: Promise<unknown>): Promise<number | undefined> {
  try {
    await attempt;
    return undefined;
  } catch (error) {
    if (!(error instanceof ProblemError) || error.problem.status !== 429) throw error;
    return Number(error.problem.headers?.["Retry-After"]);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let keyCounter = 0;
const unique = (label: string) => `${label}-${Date.now()}-${(keyCounter += 1)}`;

const stores: [string, () => Promise<LimiterStore | undefined>][] = [
  ["memory", async () => ({ kind: "memory" })],
  [
    "database",
    async () => {
      const database: TestDatabase = await createAuthTestDatabase();
      cleanups.push(() => database.dispose());
      return { kind: "database", db: database.db };
    },
  ],
  [
    "redis",
    async () => {
      const url = testRedisUrl();
      if (!url) return undefined;
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      cleanups.push(() => client.quit());
      return { kind: "redis", client };
    },
  ],
];

describe.each(stores)("AbuseLimits on the %s store", (_name, makeStore) => {
  it("cools an account+client down after repeated failures, longer each time", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, FAST);
    const [client, account] = [unique("ip"), unique("account")];
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBeUndefined();
    await limits.recordFailure(client, account);
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBeUndefined();
    await limits.recordFailure(client, account);
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBe(1);
    await sleep(1_100);
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBeUndefined();
    await limits.recordFailure(client, account);
    await limits.recordFailure(client, account);
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBe(2);
  });

  it("never locks the owner out from another client", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, FAST);
    const account = unique("victim");
    for (let i = 0; i < 5; i += 1) await limits.recordFailure(unique("attacker-ip"), account);
    const attacker = unique("attacker");
    await limits.recordFailure(attacker, account);
    await limits.recordFailure(attacker, account);
    expect(await retryAfterOf(limits.beforeSignIn(attacker, account))).toBeGreaterThan(0);
    expect(await retryAfterOf(limits.beforeSignIn(unique("owner-ip"), account))).toBeUndefined();
  });

  it("a success clears the streak", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, FAST);
    const [client, account] = [unique("ip"), unique("account")];
    await limits.recordFailure(client, account);
    await limits.recordSuccess(client, account);
    await limits.recordFailure(client, account);
    expect(await retryAfterOf(limits.beforeSignIn(client, account))).toBeUndefined();
  });

  it("limits sign-ups, sign-ins and password changes per client", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, {
      ...FAST,
      signInsPerClient: { points: 3, seconds: 60 },
      signUpsPerClient: { points: 2, seconds: 60 },
      passwordChangesPerClient: { points: 2, seconds: 60 },
    });
    const client = unique("ip");
    const outcomes = async (attempt: () => Promise<unknown>, times: number) => {
      const results: (number | undefined)[] = [];
      for (let i = 0; i < times; i += 1) results.push(await retryAfterOf(attempt()));
      return results.map((r) => (r === undefined ? "ok" : "429"));
    };
    expect(await outcomes(() => limits.beforeSignUp(client), 3)).toEqual(["ok", "ok", "429"]);
    expect(await outcomes(() => limits.beforeSignIn(client, unique("a")), 4)).toEqual([
      "ok",
      "ok",
      "ok",
      "429",
    ]);
    expect(await outcomes(() => limits.beforePasswordCheck(client, "u1"), 3)).toEqual([
      "ok",
      "ok",
      "429",
    ]);
  });

  it("counts an account's failures from unknown browsers across addresses, not known devices'", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, {
      ...FAST,
      maxFailures: 2,
      unknownDeviceFailuresPerAccount: { points: 3, seconds: 60 },
    });
    const account = unique("account");
    for (let i = 0; i < 3; i += 1) {
      const client = unique("botnet");
      const origin = await limits.beforeSignIn(client, account);
      expect(origin).toEqual({ knownDevice: undefined });
      await limits.signInFailed(client, account);
    }
    // A fourth address, never seen: the account is closed to unknown browsers.
    expect(await retryAfterOf(limits.beforeSignIn(unique("botnet"), account))).toBeGreaterThan(0);
    // Another account is not.
    expect(await limits.beforeSignIn(unique("botnet"), unique("other"))).toEqual({
      knownDevice: undefined,
    });
    // The owner's browser, from a new address, still gets in...
    const cafe = unique("cafe");
    const owners = await limits.beforeSignIn(cafe, account, "owners-device");
    expect(owners).toEqual({ knownDevice: "owners-device" });
    await limits.signInSucceeded(cafe, account, owners);
    // ...and its own failures count per device: after maxFailures it is unknown again.
    for (let i = 0; i < 2; i += 1) {
      const client = unique("cafe");
      await limits.beforeSignIn(client, account, "owners-device");
      await limits.signInFailed(client, account);
    }
    expect(
      await retryAfterOf(limits.beforeSignIn(unique("cafe"), account, "owners-device")),
    ).toBeGreaterThan(0);
  });

  it("counts attempts before the password is checked: a burst cannot overshoot", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, {
      ...FAST,
      maxFailures: 3,
      unknownDeviceFailuresPerAccount: { points: 10, seconds: 60 },
    });
    const account = unique("account");
    const burst = await Promise.all(
      Array.from({ length: 40 }, () => retryAfterOf(limits.beforeSignIn(unique("bot"), account))),
    );
    expect(burst.filter((retryAfter) => retryAfter === undefined)).toHaveLength(10);
    const device = await Promise.all(
      Array.from({ length: 20 }, () =>
        limits
          .beforeSignIn(unique("thief"), unique("a"), "stolen-device")
          .then((origin) => origin.knownDevice),
      ),
    );
    expect(device.every((knownDevice) => knownDevice === "stolen-device")).toBe(true);
    const sameAccount = unique("account");
    const stolen = await Promise.all(
      Array.from({ length: 20 }, () =>
        limits.beforeSignIn(unique("thief"), sameAccount, "stolen-device").then(
          (origin) => origin.knownDevice,
          () => "429",
        ),
      ),
    );
    // 3 as the known device, 10 more as an unknown browser, the rest refused.
    expect(stolen.filter((outcome) => outcome === "stolen-device")).toHaveLength(3);
    expect(stolen.filter((outcome) => outcome === undefined)).toHaveLength(10);
  });

  it("gives the points of a successful or shed attempt back", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, {
      ...FAST,
      signInsPerClient: { points: 2, seconds: 60 },
      unknownDeviceFailuresPerAccount: { points: 2, seconds: 60 },
    });
    const [client, account] = [unique("office"), unique("account")];
    for (let i = 0; i < 10; i += 1) {
      const origin = await limits.beforeSignIn(client, account);
      await (i % 2 === 0
        ? limits.signInSucceeded(client, account, origin)
        : limits.signInAbandoned(client, account, origin));
    }
    const origin = await limits.beforeSignIn(client, account);
    expect(origin).toEqual({ knownDevice: undefined });
  });

  it("a known device is not locked out by failures of others from its address", async (ctx) => {
    const store = await makeStore();
    if (!store) return ctx.skip();
    const limits = new AbuseLimits(store, { ...FAST, maxFailures: 2 });
    const [sharedAddress, account] = [unique("cgnat"), unique("account")];
    for (let i = 0; i < 2; i += 1) {
      await limits.beforeSignIn(sharedAddress, account);
      await limits.signInFailed(sharedAddress, account);
    }
    expect(await retryAfterOf(limits.beforeSignIn(sharedAddress, account))).toBeGreaterThan(0);
    expect(await limits.beforeSignIn(sharedAddress, account, "owners-device")).toEqual({
      knownDevice: "owners-device",
    });
  });
});
