import { readdirSync, readFileSync } from "node:fs";
import { getPriority } from "node:os";
import { describe, expect, it } from "vitest";
import { OWASP_ARGON2_BASELINE, PasswordHasher } from "./hasher";

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

  it.runIf(process.platform === "linux")(
    "hashes on threads of the lowest CPU priority, at most maxConcurrent at once",
    async () => {
      const before = lowPriorityThreads();
      const bounded = new PasswordHasher(OWASP_ARGON2_BASELINE, 2);
      let done = false;
      const hashing = Promise.all(Array.from({ length: 6 }, (_, i) => bounded.hash(`p${i}`)));
      void hashing.finally(() => (done = true));
      let peak = 0;
      while (!done) {
        peak = Math.max(peak, lowPriorityThreads() - before);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(new Set(await hashing).size).toBe(6);
      expect(peak).toBeGreaterThan(0);
      expect(peak).toBeLessThanOrEqual(2);
      // The process itself (its event loop) keeps its normal priority.
      expect(getPriority()).toBe(0);
      await bounded.close();
    },
  );
});

/** Threads of this process at nice 19 (Linux: /proc/self/task/<tid>/stat, field 19). */
function lowPriorityThreads(): number {
  return readdirSync("/proc/self/task").filter((tid) => {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return fields[16] === "19";
  }).length;
}
