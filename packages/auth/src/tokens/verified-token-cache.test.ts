import { describe, expect, it } from "vitest";
import { VerifiedTokenCache } from "./verified-token-cache.js";

describe("VerifiedTokenCache", () => {
  it("stays within its bound, dropping the oldest entries", () => {
    const cache = new VerifiedTokenCache<number>(3);
    for (let i = 0; i < 10; i += 1) cache.set(`h.p.t${i}`, i);
    expect(cache.size).toBe(3);
    expect(cache.get("h.p.t0")).toBeUndefined();
    expect(cache.get("h.p.t9")).toBe(9);
  });

  it("answers only for the very token it stored, not another with the same signature", () => {
    const cache = new VerifiedTokenCache<string>(10);
    cache.set("header.admin-claims.sig", "verified");
    expect(cache.get("header.admin-claims.sig")).toBe("verified");
    expect(cache.get("header.forged-claims.sig")).toBeUndefined();
    expect(cache.get("sig")).toBeUndefined();
    cache.delete("header.forged-claims.sig");
    expect(cache.get("header.admin-claims.sig")).toBe("verified");
    cache.delete("header.admin-claims.sig");
    expect(cache.get("header.admin-claims.sig")).toBeUndefined();
  });

  it("replacing an entry does not evict another", () => {
    const cache = new VerifiedTokenCache<number>(2);
    cache.set("a.b.one", 1);
    cache.set("a.b.two", 2);
    cache.set("a.b.two", 3);
    expect(cache.get("a.b.one")).toBe(1);
    expect(cache.get("a.b.two")).toBe(3);
  });
});
