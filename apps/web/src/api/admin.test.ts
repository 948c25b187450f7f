import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { admin, adminErrorMessage, fetchPermissions, type AdminUser } from "./admin";
import { ApiError, setUnauthorizedHandler } from "./client";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

const ada: AdminUser = {
  id: "u1",
  email: "ada@example.com",
  name: "Ada",
  role: "user",
  disabled: false,
  emailVerified: true,
  createdAt: "2030-01-01T00:00:00.000Z",
  lastSeenAt: null,
  liveSessions: 1,
};

describe("admin API", () => {
  it("sends each request to its route, with its query and JSON body", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/permissions": () =>
        json({ role: "admin", permissions: ["users:read"], assignableRoles: ["user"] }),
      "GET /api/admin/users": () => json({ users: [ada], nextCursor: "c2" }),
      "GET /api/admin/users/:id": () => json({ user: ada, sessions: [], events: [] }),
      "PATCH /api/admin/users/:id": () => json({ user: { ...ada, role: "manager" } }),
      "POST /api/admin/users/:id/sessions/revoke": () => json({ revoked: 3 }),
      "DELETE /api/admin/users/:id/sessions/:sessionId": () => noContent(),
      "DELETE /api/admin/users/:id": () => noContent(),
      "GET /api/admin/audit": () => json({ events: [], nextCursor: null }),
    });

    expect(await fetchPermissions()).toEqual({
      role: "admin",
      permissions: ["users:read"],
      assignableRoles: ["user"],
    });
    expect(await admin.listUsers()).toEqual({ users: [ada], nextCursor: "c2" });
    await admin.listUsers({ query: "  ada@ ", cursor: "c2", limit: 10 });
    await admin.listUsers({ query: "   " });
    expect((await admin.getUser("u1")).user).toEqual(ada);
    expect(await admin.updateUser("u1", { role: "manager" })).toMatchObject({ role: "manager" });
    await admin.updateUser("u1", { disabled: true });
    expect(await admin.revokeSessions("u1")).toBe(3);
    await admin.revokeSession("u1", "s9");
    await admin.deleteUser("u1");
    expect(await admin.audit({ cursor: "a1", limit: 5 })).toEqual({ events: [], nextCursor: null });

    expect(calls.map((c) => [c.method, c.path, c.query.toString(), c.body])).toEqual([
      ["GET", "/api/auth/permissions", "", undefined],
      ["GET", "/api/admin/users", "", undefined],
      ["GET", "/api/admin/users", "query=ada%40&cursor=c2&limit=10", undefined],
      ["GET", "/api/admin/users", "", undefined],
      ["GET", "/api/admin/users/u1", "", undefined],
      ["PATCH", "/api/admin/users/u1", "", { role: "manager" }],
      ["PATCH", "/api/admin/users/u1", "", { disabled: true }],
      ["POST", "/api/admin/users/u1/sessions/revoke", "", undefined],
      ["DELETE", "/api/admin/users/u1/sessions/s9", "", undefined],
      ["DELETE", "/api/admin/users/u1", "", undefined],
      ["GET", "/api/admin/audit", "cursor=a1&limit=5", undefined],
    ]);
    for (const call of calls) {
      expect(call.init?.credentials).toBe("same-origin");
      if (call.body !== undefined)
        expect(new Headers(call.init?.headers).get("Content-Type")).toBe("application/json");
    }
  });

  it("escapes ids in the path", async () => {
    const { calls } = mockFetch({ "DELETE /api/admin/users/:id": () => noContent() });
    await admin.deleteUser("a/b?c");
    expect(calls[0]!.path).toBe("/api/admin/users/a%2Fb%3Fc");
  });

  it("throws ApiError with the problem's type and detail (403, 409 last-admin)", async () => {
    mockFetch({
      "PATCH /api/admin/users/:id": () =>
        problem(409, "That would leave no enabled administrator.", {
          type: "https://tidy.test/problems/last-admin",
        }),
      "DELETE /api/admin/users/:id": () =>
        problem(403, "Their role outranks yours.", { type: "/problems/forbidden" }),
    });
    const conflict = await admin.updateUser("u1", { disabled: true }).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ApiError);
    expect((conflict as ApiError).isType("last-admin")).toBe(true);
    expect(adminErrorMessage(conflict)).toBe("That would leave no enabled administrator.");

    const forbidden = await admin.deleteUser("u1").catch((e: unknown) => e);
    expect((forbidden as ApiError).isType("forbidden")).toBe(true);
    expect(adminErrorMessage(forbidden)).toBe(
      "You don't have permission to do that. Their role outranks yours.",
    );
  });

  it("a 401 is an ended session: the app's handler is told", async () => {
    mockFetch({ "GET /api/admin/users": () => problem(401, "Sign in to continue.") });
    const handler = vi.fn();
    setUnauthorizedHandler(handler);
    await expect(admin.listUsers()).rejects.toMatchObject({ status: 401 });
    expect(handler).toHaveBeenCalledOnce();
  });

  it("a network failure is an ApiError with status 0", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(() => Promise.reject(new TypeError("Failed to fetch"))),
    );
    const error = await admin.getUser("u1").catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 0 });
    expect(adminErrorMessage(error)).toMatch(/Can't reach the server/);
  });

  it("says what a bare 403 or 404 means", () => {
    expect(adminErrorMessage(new ApiError(403, "Forbidden"))).toBe(
      "You don't have permission to do that.",
    );
    expect(adminErrorMessage(new ApiError(404, "Not Found"))).toBe("This user no longer exists.");
    expect(adminErrorMessage("weird", "Fallback.")).toBe("Fallback.");
  });

  it("reads an unexpected permissions body as no permissions", async () => {
    mockFetch({ "GET /api/auth/permissions": () => json({}) });
    expect(await fetchPermissions()).toEqual({
      role: "user",
      permissions: [],
      assignableRoles: [],
    });
  });
});
