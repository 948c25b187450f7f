import { describe, expect, it } from "vitest";
import {
  generateSessionToken,
  hashSessionToken,
  isWellFormedSessionToken,
} from "./session-token.js";

describe("session tokens", () => {
  it("are 256 random bits, base64url, and stored only as a SHA-256 hex digest", () => {
    const token = generateSessionToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(isWellFormedSessionToken(token)).toBe(true);
    expect(hashSessionToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashSessionToken(token)).not.toContain(token);
    expect(generateSessionToken()).not.toBe(token);
  });

  it("rejects malformed values before any hashing", () => {
    for (const value of ["", "short", "a".repeat(44), "!".repeat(43), "a".repeat(10_000)]) {
      expect(isWellFormedSessionToken(value)).toBe(false);
    }
  });
});
