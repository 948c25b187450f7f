import { describe, expect, it } from "vitest";
import { safeReturnTo } from "./return-to";

describe("safeReturnTo", () => {
  it.each([
    ["/devices", "/devices"],
    ["/todos?filter=done#x", "/todos?filter=done#x"],
    ["/account", "/account"],
  ])("accepts the same-site path %s", (input, expected) => {
    expect(safeReturnTo(input)).toBe(expected);
  });

  it.each([
    undefined,
    "",
    "https://evil.example/",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "/.//evil.example",
    "/..//evil.example",
    "/%2e//evil.example",
    "javascript:alert(1)",
    "/\tevil",
    "devices",
    "/sign-in?returnTo=/sign-in",
    "/sign-up",
    "/forgot-password",
    "/reset-password",
    "/verify-email?x=1",
    "/confirm-email",
    "/",
  ])("falls back for %j", (input) => {
    expect(safeReturnTo(input)).toBe("/todos");
  });

  it("uses the first value of a repeated query parameter", () => {
    expect(safeReturnTo(["/devices", "https://evil.example"])).toBe("/devices");
  });
});
