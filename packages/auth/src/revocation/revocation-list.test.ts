import { describe, expect, it } from "vitest";
import { RevocationList } from "./revocation-list.js";

const claims = (issuedAtSeconds: number) => ({
  userId: "u",
  sessionId: "s",
  role: "user",
  issuedAt: issuedAtSeconds,
  expiresAt: issuedAtSeconds + 600,
  authTime: issuedAtSeconds,
});

describe("RevocationList", () => {
  it("marks tokens issued before (or in the same second as) an event stale", () => {
    const list = new RevocationList(600_000);
    list.add([{ scope: "session", subjectId: "s", notBefore: 1_000_500 }], 1_000_500);
    expect(list.isStale(claims(999))).toBe(true);
    expect(list.isStale(claims(1000))).toBe(true);
    expect(list.isStale(claims(1001))).toBe(false);
  });

  it("applies user-wide events to every session of the user", () => {
    const list = new RevocationList(600_000);
    list.add([{ scope: "user", subjectId: "u", notBefore: 2_000_000 }], 2_000_000);
    expect(list.isStale({ ...claims(1999), sessionId: "other" })).toBe(true);
  });

  it("keeps the latest cut-off per subject and forgets events older than a token lifetime", () => {
    const list = new RevocationList(600_000);
    list.add([{ scope: "session", subjectId: "s", notBefore: 5_000_000 }], 5_000_000);
    list.add([{ scope: "session", subjectId: "s", notBefore: 4_000_000 }], 5_000_000);
    expect(list.isStale(claims(4999))).toBe(true);
    list.prune(5_000_000 + 602_000);
    expect(list.size).toBe(0);
  });

  it("stays bounded under many revocations spread over time", () => {
    const list = new RevocationList(600_000);
    for (let i = 0; i < 100_000; i += 1) {
      const now = i * 100; // one revocation every 100 ms
      list.add([{ scope: "session", subjectId: `s${i}`, notBefore: now }], now);
    }
    expect(list.size).toBeLessThanOrEqual(6_020);
  });
});
