import { describe, expect, it } from "vitest";
import { VerifiedTokenCache } from "./verified-token-cache";

describe("VerifiedTokenCache", () => {
  it("stays within its bound, dropping the oldest entries", () => {
    const cache = new VerifiedTokenCache<number>(3);
    for (let i = 0; i < 10; i += 1) cache.set(`t${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get("t0")).toBeUndefined();
    expect(cache.get("t9")).toBe(9);
  });
});
