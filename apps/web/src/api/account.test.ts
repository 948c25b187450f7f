import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { emailVerifiedOf } from "../stores/session";
import { account, filenameFromDisposition } from "./account";
import { ApiError, setUnauthorizedHandler } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

describe("account API", () => {
  it("sends each request to its route with its JSON body", async () => {
    const accepted = () => json({ message: "On its way." }, 202);
    const { calls } = mockFetch({
      "POST /api/auth/email/verify/request": accepted,
      "POST /api/auth/email/verify": () => noContent(),
      "POST /api/auth/password/forgot": accepted,
      "POST /api/auth/password/reset": () => noContent(),
      "POST /api/auth/email/change": accepted,
      "POST /api/auth/email/change/confirm": () => noContent(),
      "PATCH /api/auth/me": () => json({ user: { id: "u1", name: null } }),
      "DELETE /api/auth/me": () => noContent(),
      "GET /api/auth/me/notifications": () => json({ newSignInAlerts: true }),
      "PATCH /api/auth/me/notifications": () => json({ newSignInAlerts: false }),
    });
    expect(await account.requestVerification()).toBe("On its way.");
    await account.requestVerificationFor("ada@example.com");
    await account.verifyEmail("t1");
    expect(await account.forgotPassword("ada@example.com")).toBe("On its way.");
    await account.resetPassword("t2", "violet-kettle-harbour-93");
    await account.changeEmail("new@example.com", "pw");
    await account.confirmEmailChange("t3");
    expect(await account.updateName(null)).toEqual({ id: "u1", name: null });
    await account.deleteAccount("pw");
    expect(await account.notificationSettings()).toEqual({ newSignInAlerts: true });
    await account.updateNotificationSettings({ newSignInAlerts: false });

    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ["POST", "/api/auth/email/verify/request", undefined],
      ["POST", "/api/auth/email/verify/request", { email: "ada@example.com" }],
      ["POST", "/api/auth/email/verify", { token: "t1" }],
      ["POST", "/api/auth/password/forgot", { email: "ada@example.com" }],
      [
        "POST",
        "/api/auth/password/reset",
        { token: "t2", newPassword: "violet-kettle-harbour-93" },
      ],
      ["POST", "/api/auth/email/change", { newEmail: "new@example.com", password: "pw" }],
      ["POST", "/api/auth/email/change/confirm", { token: "t3" }],
      ["PATCH", "/api/auth/me", { name: null }],
      ["DELETE", "/api/auth/me", { password: "pw" }],
      ["GET", "/api/auth/me/notifications", undefined],
      ["PATCH", "/api/auth/me/notifications", { newSignInAlerts: false }],
    ]);
    for (const call of calls) {
      expect(call.init?.credentials).toBe("same-origin");
      if (call.body !== undefined)
        expect(new Headers(call.init?.headers).get("Content-Type")).toBe("application/json");
    }
  });

  it("throws ApiError with the problem's details", async () => {
    mockFetch({
      "POST /api/auth/email/change": () =>
        problem(422, "One or more fields are invalid.", {
          errors: [{ pointer: "/password", detail: "is incorrect" }],
        }),
    });
    const error = await account.changeEmail("n@example.com", "bad").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).fieldError("password")).toBe("is incorrect");
  });

  it("a 401 from a token link is an answer, not an ended session", async () => {
    mockFetch({ "POST /api/auth/email/verify": () => problem(401, "Nope.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    await expect(account.verifyEmail("t")).rejects.toMatchObject({ status: 401 });
    expect(handler).not.toHaveBeenCalled();
  });

  it("falls back to its own words when a 202 has no message", async () => {
    mockFetch({ "POST /api/auth/password/forgot": () => new Response(null, { status: 202 }) });
    expect(await account.forgotPassword("a@b.co")).toMatch(/reset link is on its way/);
  });

  it("downloads the export with the server's file name", async () => {
    mockFetch({
      "GET /api/auth/me/export": () =>
        json({ user: { id: "u1" } }, 200, {
          "Content-Disposition": 'attachment; filename="tidy-export-2030-01-02.json"',
        }),
    });
    const { blob, filename } = await account.exportData();
    expect(filename).toBe("tidy-export-2030-01-02.json");
    expect(JSON.parse(await blob.text())).toEqual({ user: { id: "u1" } });
  });
});

describe("filenameFromDisposition", () => {
  it.each([
    ['attachment; filename="tidy.json"', "tidy.json"],
    ["attachment; filename=tidy.json", "tidy.json"],
    ['attachment; filename="a \\"b\\".json"', 'a "b".json'],
    ["attachment; filename=\"x.json\"; filename*=UTF-8''t%C3%A9l%C3%A9.json", "télé.json"],
    ['attachment; filename="../../etc/passwd"', "....etcpasswd"],
    ['attachment; filename=".."', undefined],
    ["attachment", undefined],
    [null, undefined],
  ])("%j → %j", (header, expected) => {
    expect(filenameFromDisposition(header)).toBe(expected);
  });
});

describe("emailVerifiedOf", () => {
  it("reads the flag when the server sends it, undefined otherwise", () => {
    const base = { id: "u", email: "a@b.co", name: null, role: "user", createdAt: "" };
    expect(emailVerifiedOf({ ...base, emailVerified: true } as never)).toBe(true);
    expect(emailVerifiedOf({ ...base, emailVerified: false } as never)).toBe(false);
    expect(emailVerifiedOf(base as never)).toBeUndefined();
    expect(emailVerifiedOf(null)).toBeUndefined();
  });
});
