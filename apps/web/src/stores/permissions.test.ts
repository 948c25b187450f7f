import { afterEach, describe, expect, it, vi } from "vitest";
import { setUnauthorizedHandler } from "../api/client";
import { deferred, json, mockFetch, problem } from "../testing/fetch-mock";
import { claims } from "../testing/mount-page";
import { createPermissionsStore } from "./permissions";
import { createSessionStore } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

const adminAnswer = {
  role: "admin",
  permissions: ["users:read", "users:write", "sessions:revoke"],
  assignableRoles: ["user", "manager", "admin"],
};

async function signedIn(handlers: Parameters<typeof mockFetch>[0]) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    ...handlers,
  });
  const session = createSessionStore();
  await session.ensureLoaded();
  return { ...mocks, session, permissions: createPermissionsStore(session) };
}

const permissionCalls = (calls: { path: string }[]) =>
  calls.filter((c) => c.path === "/api/auth/permissions");

describe("permissions store", () => {
  it("asks once per page load, sharing the answer between callers", async () => {
    const { calls, permissions } = await signedIn({
      "GET /api/auth/permissions": () => json(adminAnswer),
    });
    expect(permissions.can("users:read")).toBe(false);
    await Promise.all([permissions.ensureLoaded(), permissions.ensureLoaded()]);
    await permissions.ensureLoaded();
    expect(permissionCalls(calls)).toHaveLength(1);
    expect(permissions.state.loaded).toBe(true);
    expect(permissions.state.role).toBe("admin");
    expect(permissions.can("users:read")).toBe(true);
    expect(permissions.can("users:write")).toBe(true);
    expect(permissions.state.assignableRoles).toEqual(["user", "manager", "admin"]);
  });

  it("does not ask while signed out", async () => {
    const { calls } = mockFetch({ "GET /api/auth/session": () => problem(401, "No.") });
    const session = createSessionStore();
    await session.ensureLoaded();
    const permissions = createPermissionsStore(session);
    await permissions.ensureLoaded();
    expect(permissionCalls(calls)).toHaveLength(0);
    expect(permissions.can("users:read")).toBe(false);
  });

  it("forgets everything when the session ends, and asks again for the next one", async () => {
    const { calls, session, permissions } = await signedIn({
      "GET /api/auth/permissions": () => json(adminAnswer),
      "POST /api/auth/logout": () => new Response(null, { status: 204 }),
    });
    await permissions.ensureLoaded();
    expect(permissions.can("users:read")).toBe(true);

    await session.signOut();
    expect(permissions.can("users:read")).toBe(false);
    expect(permissions.state.role).toBeNull();
    expect(permissions.state.loaded).toBe(false);

    await session.refresh();
    await permissions.ensureLoaded();
    expect(permissionCalls(calls)).toHaveLength(2);
  });

  it("drops an answer that arrives after the session ended", async () => {
    const late = deferred<Response>();
    const { session, permissions } = await signedIn({
      "GET /api/auth/permissions": () => late.promise,
    });
    const loading = permissions.ensureLoaded();
    session.markSignedOut();
    late.resolve(json(adminAnswer));
    await loading;
    expect(permissions.can("users:read")).toBe(false);
  });

  it("a failed answer shows nothing privileged and is asked again when next needed", async () => {
    let answer = () => problem(503, "Try later.");
    const { calls, permissions } = await signedIn({
      "GET /api/auth/permissions": () => answer(),
    });
    await permissions.ensureLoaded();
    expect(permissions.can("users:read")).toBe(false);
    answer = () => json(adminAnswer);
    await permissions.ensureLoaded();
    expect(permissions.can("users:read")).toBe(true);
    expect(permissionCalls(calls)).toHaveLength(2);
  });

  it("refresh asks again (after the viewer's own role changed)", async () => {
    let answer = adminAnswer;
    const { permissions } = await signedIn({ "GET /api/auth/permissions": () => json(answer) });
    await permissions.ensureLoaded();
    answer = { role: "user", permissions: [], assignableRoles: [] };
    await permissions.refresh();
    expect(permissions.can("users:read")).toBe(false);
    expect(permissions.state.role).toBe("user");
  });
});
