import { describe, expect, it } from "vitest";
import { HashingBusyError, OWASP_ARGON2_BASELINE, PasswordHasher } from "./hasher.js";

describe("PasswordHasher", () => {
  const hasher = new PasswordHasher();

  it("hashes with argon2id at the OWASP baseline and verifies", async () => {
    const hash = await hasher.hash("correct horse");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await hasher.verify(hash, "correct horse")).toBe(true);
    expect(await hasher.verify(hash, "wrong horse")).toBe(false);
    expect(await hasher.verify("not a hash", "x")).toBe(false);
  });

  it("asks for a rehash when the parameters rise", async () => {
    const hash = await hasher.hash("x");
    expect(hasher.needsRehash(hash)).toBe(false);
    const stronger = new PasswordHasher({ ...OWASP_ARGON2_BASELINE, timeCost: 3 });
    expect(stronger.needsRehash(hash)).toBe(true);
    expect(hasher.needsRehash("$2b$10$bcrypt-hash")).toBe(true);
  });

  it("refuses parameters below the baseline", () => {
    expect(() => new PasswordHasher({ memoryCost: 4096, timeCost: 1, parallelism: 1 })).toThrow();
  });

  it("bounds concurrent hashing", async () => {
    const bounded = new PasswordHasher(OWASP_ARGON2_BASELINE, 2);
    const results = await Promise.all(Array.from({ length: 5 }, (_, i) => bounded.hash(`p${i}`)));
    expect(new Set(results).size).toBe(5);
  });

  it("sheds work beyond its queue at once instead of queueing without end", async () => {
    const small = new PasswordHasher(OWASP_ARGON2_BASELINE, 1, 2);
    const hash = await small.hash("p");
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => small.verify(hash, "p")),
    );
    // One running and two waiting get their answer; the other seven are refused, not queued.
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
    const refused = outcomes.filter((outcome) => outcome.status === "rejected");
    expect(refused).toHaveLength(7);
    for (const outcome of refused) {
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(HashingBusyError);
      expect(((outcome as PromiseRejectedResult).reason as HashingBusyError).problem.status).toBe(
        503,
      );
    }
    // Once the queue drains, work is taken again.
    expect(await small.verify(hash, "p")).toBe(true);
  });

  it("estimates Retry-After from the queue and the measured hashing time", async () => {
    const small = new PasswordHasher(OWASP_ARGON2_BASELINE, 1, 1);
    const hash = await small.hash("p");
    const outcomes = await Promise.allSettled([1, 2, 3].map(() => small.verify(hash, "p")));
    const refused = outcomes.find((outcome) => outcome.status === "rejected") as
      PromiseRejectedResult | undefined;
    const retryAfter = Number(
      (refused?.reason as HashingBusyError).problem.headers?.["Retry-After"],
    );
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(30);
  });
});
