import { describe, expect, it } from "vitest";
import { OWASP_ARGON2_BASELINE, PasswordHasher } from "./hasher.js";

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
});
