import { describe, expect, it } from "vitest";
import {
  DEFAULT_PASSWORD_POLICY,
  normalizePassword,
  passwordProblem,
  personalWords,
} from "./policy.js";

describe("password policy", () => {
  it("accepts long passphrases without composition rules", () => {
    expect(passwordProblem("violet-kettle-harbour-93", DEFAULT_PASSWORD_POLICY)).toBeUndefined();
    expect(
      passwordProblem("correct horse battery staple", DEFAULT_PASSWORD_POLICY),
    ).toBeUndefined();
  });

  it("refuses short, overlong and common passwords with a reason", () => {
    expect(passwordProblem("Ab1!", DEFAULT_PASSWORD_POLICY)).toMatch(/at least 8/);
    expect(passwordProblem("x".repeat(257), DEFAULT_PASSWORD_POLICY)).toMatch(/at most 256/);
    expect(passwordProblem("😀".repeat(300), DEFAULT_PASSWORD_POLICY)).toMatch(/at most/);
    expect(passwordProblem("password1", DEFAULT_PASSWORD_POLICY)).toMatch(/easy to guess/);
    expect(passwordProblem("qwertyuiop", DEFAULT_PASSWORD_POLICY)).toMatch(/easy to guess/);
  });

  it("refuses a password made of the user's own email", () => {
    const email = "marguerite.lindqvist@example.test";
    expect(
      passwordProblem("marguerite.lindqvist", DEFAULT_PASSWORD_POLICY, personalWords(email)),
    ).toMatch(/easy to guess/);
  });

  it("normalises Unicode (NFKC) so equivalent input hashes the same", () => {
    expect(normalizePassword("ﬁancé")).toBe(normalizePassword("fiancé"));
    expect(normalizePassword("e\u0301")).toBe("\u00e9");
  });
});
