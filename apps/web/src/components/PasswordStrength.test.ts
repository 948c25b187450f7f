import { mount } from "@vue/test-utils";
import { describe, expect, it } from "vitest";
import PasswordStrength from "./PasswordStrength.vue";
import type { Strength } from "../lib/password-feedback";

const text = (strength: Strength, checking = false) =>
  mount(PasswordStrength, { props: { strength, checking } }).find(".strength-text").text();

describe("PasswordStrength", () => {
  it("gives the hint, then 'Checking…' while the server's verdict is due", () => {
    const empty: Strength = { level: 0, label: "", problem: undefined };
    expect(text(empty)).toMatch(/^Use at least 8 characters/);
    expect(text(empty, true)).toBe("Checking…");
  });

  it("says a password could not be checked, without calling it weak or good", () => {
    const unchecked: Strength = { level: 0, label: "", problem: undefined, unchecked: true };
    expect(text(unchecked)).toBe("Couldn't check it just now; it will be checked when you submit.");
  });

  it("words the server's problem and verdicts", () => {
    expect(
      text({
        level: 2,
        label: "Too easy to guess",
        problem: "is too easy to guess: a common word",
      }),
    ).toBe("Too easy to guess. A common word.");
    expect(text({ level: 1, label: "Too short", problem: "must be at least 8 characters" })).toBe(
      "Too short. Password must be at least 8 characters.",
    );
    expect(text({ level: 4, label: "Strong", problem: undefined })).toBe(
      "Strong. Great — that's a strong password.",
    );
  });
});
