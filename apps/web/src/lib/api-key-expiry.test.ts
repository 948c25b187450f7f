import { describe, expect, it } from "vitest";
import {
  curlExample,
  customDayProblem,
  expiresAtFor,
  firstCustomDay,
  isExpired,
  localDay,
} from "./api-key-expiry";

// A local noon, so that "tomorrow" is the same calendar day in every time zone the test runs in.
const NOW = new Date(2030, 0, 15, 12, 0, 0).getTime();

describe("expiresAtFor", () => {
  it("never → null", () => {
    expect(expiresAtFor("never", "", NOW)).toBeNull();
  });

  it("7 / 30 / 90 days → that many days from now", () => {
    for (const days of ["7", "30", "90"] as const) {
      expect(Date.parse(expiresAtFor(days, "", NOW)!) - NOW).toBe(Number(days) * 86_400_000);
    }
  });

  it("a custom day → the last moment of that local day", () => {
    const iso = expiresAtFor("custom", "2030-02-01", NOW)!;
    const end = new Date(iso);
    expect([end.getFullYear(), end.getMonth(), end.getDate()]).toEqual([2030, 1, 1]);
    expect([end.getHours(), end.getMinutes(), end.getSeconds()]).toEqual([23, 59, 59]);
  });

  it("an invalid custom day → undefined (nothing is sent)", () => {
    expect(expiresAtFor("custom", "", NOW)).toBeUndefined();
    expect(expiresAtFor("custom", "2030-02-30", NOW)).toBeUndefined();
    expect(expiresAtFor("custom", localDay(NOW), NOW)).toBeUndefined();
  });
});

describe("customDayProblem", () => {
  it("asks for a day after today", () => {
    expect(customDayProblem("", NOW)).toBe("Choose the day the key stops working.");
    expect(customDayProblem("2030-01-15", NOW)).toBe("Choose a day after today.");
    expect(customDayProblem("2029-12-31", NOW)).toBe("Choose a day after today.");
    expect(customDayProblem("15/01/2031", NOW)).toBe("Enter a valid date.");
    expect(customDayProblem("2031-02-29", NOW)).toBe("Enter a valid date.");
    expect(customDayProblem(firstCustomDay(NOW), NOW)).toBeUndefined();
    expect(firstCustomDay(NOW)).toBe("2030-01-16");
  });
});

describe("isExpired", () => {
  it("is true from the expiry on; a key without one never expires", () => {
    expect(isExpired({ expiresAt: null }, NOW)).toBe(false);
    expect(isExpired({ expiresAt: new Date(NOW + 1).toISOString() }, NOW)).toBe(false);
    expect(isExpired({ expiresAt: new Date(NOW).toISOString() }, NOW)).toBe(true);
  });
});

describe("curlExample", () => {
  it("lists the to-dos with the key as a bearer token", () => {
    expect(curlExample("hak_abc123", "https://tidy.example/")).toBe(
      'curl -H "Authorization: Bearer hak_abc123" https://tidy.example/api/todos',
    );
  });
});
