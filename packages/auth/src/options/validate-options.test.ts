import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createAuth } from "../create-auth.js";
import type { Db } from "../db.js";
import { securityEvents } from "../plugins/security-events/index.js";
import type { AuthOptions } from "./auth-options.js";
import { AuthConfigError } from "./config-error.js";
import { validateAuthOptions } from "./validate-options.js";

/** Enough of a drizzle database for validation, which runs before any query. */
const db = { transaction() {}, select() {}, execute() {} } as unknown as Db;
const secret = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

function optionAtFault(options: Record<string, unknown>): string | undefined {
  try {
    validateAuthOptions(options as AuthOptions);
    return undefined;
  } catch (error) {
    if (error instanceof AuthConfigError) return error.option;
    throw error;
  }
}

describe("createAuth option validation", () => {
  it("accepts the minimal options", () => {
    expect(optionAtFault({ db, secret })).toBeUndefined();
  });

  it.each([
    ["a missing db", { secret }, "db"],
    ["a db that is not drizzle", { db: {}, secret }, "db"],
    ["a missing secret", { db }, "secret"],
    ["a short secret", { db, secret: "too-short" }, "secret"],
    ["a repetitive secret", { db, secret: "a".repeat(64) }, "secret"],
    ["a weak previous secret", { db, secret, previousSecrets: ["x"] }, "previousSecrets[0]"],
    ["an unknown option (a typo)", { db, secret, throttle: {} }, "throttle"],
    ["a negative lifetime", { db, secret, accessTokenTtlSeconds: -1 }, "accessTokenTtlSeconds"],
    ["a fractional proxy count", { db, secret, trustedProxies: 1.5 }, "trustedProxies"],
    ["a nice value past Linux's 19", { db, secret, hashThreadNice: 20 }, "hashThreadNice"],
    ["a negative nice value (a raise)", { db, secret, hashThreadNice: -5 }, "hashThreadNice"],
    [
      "both getClientIp and trustedProxies",
      { db, secret, trustedProxies: 1, getClientIp: () => "1.2.3.4" },
      "trustedProxies",
    ],
    [
      "an unknown abuse limit",
      { db, secret, abuseLimits: { maxFailure: 3 } },
      "abuseLimits.maxFailure",
    ],
    ["a table prefix with a quote", { db, secret, tablePrefix: 'x"; drop' }, "tablePrefix"],
    ["an upper-case table prefix", { db, secret, tablePrefix: "Auth_" }, "tablePrefix"],
    ["a plugin without an id", { db, secret, plugins: [{}] }, "plugins[0].id"],
    [
      "a plugin installed twice",
      { db, secret, plugins: [securityEvents(), securityEvents()] },
      "plugins[1]",
    ],
    [
      "a user field with a core name",
      { db, secret, userFields: { email: { schema: z.string() } } },
      "userFields.email",
    ],
    [
      "a user field without a schema",
      { db, secret, userFields: { plan: {} } },
      "userFields.plan.schema",
    ],
    ["a `null` allowed origin", { db, secret, allowedOrigins: ["null"] }, "allowedOrigins[0]"],
    [
      "an origin with a path",
      { db, secret, allowedOrigins: ["https://a.test/x"] },
      "allowedOrigins[0]",
    ],
    ["an empty issuer", { db, secret, issuer: "" }, "issuer"],
    [
      "one name for both cookies",
      { db, secret, cookieNames: { access: "a", session: "a" } },
      "cookieNames",
    ],
    [
      "a cookie name with `;`",
      { db, secret, cookieNames: { access: "a;b", session: "s" } },
      "cookieNames.access",
    ],
    [
      "an unknown limiter store",
      { db, secret, limiterStore: { kind: "bogus" } },
      "limiterStore.kind",
    ],
    [
      "a limit of zero points",
      { db, secret, abuseLimits: { signInsPerClient: { points: 0, seconds: 60 } } },
      "abuseLimits.signInsPerClient.points",
    ],
    [
      "an impossible password score",
      { db, secret, password: { minScore: 7 } },
      "password.minScore",
    ],
    [
      "argon2 parameters that are not numbers",
      { db, secret, argon2: { memoryCost: Number.NaN, timeCost: 2, parallelism: 1 } },
      "argon2.memoryCost",
    ],
    [
      "a day of rotation grace",
      { db, secret, sessionRotationGraceSeconds: 86_400 },
      "sessionRotationGraceSeconds",
    ],
    [
      "ten-year access tokens",
      { db, secret, accessTokenTtlSeconds: 315_360_000 },
      "accessTokenTtlSeconds",
    ],
    [
      "a user field every object has",
      { db, secret, userFields: { constructor: { schema: z.string() } } },
      "userFields.constructor",
    ],
  ])("names the option at fault: %s", (_label, options, option) => {
    expect(optionAtFault(options)).toBe(option);
  });

  it("a plugin refuses an option it does not know", () => {
    expect(() => securityEvents({ activityLimt: 5 } as never)).toThrow(
      /plugins\.security-events\.activityLimt/,
    );
  });

  it("fails at createAuth, before any query, with the option in the message", async () => {
    await expect(createAuth({ db, secret: "short" })).rejects.toThrow(
      "Invalid auth option `secret`: must be at least 32 bytes",
    );
  });
});
