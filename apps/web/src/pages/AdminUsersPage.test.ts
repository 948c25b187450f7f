import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminUser } from "../api/admin";
import { json, mockFetch, problem, type Call } from "../testing/fetch-mock";
import { claims, mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const ADMIN = {
  role: "admin",
  permissions: ["users:read", "users:write", "sessions:revoke"],
  assignableRoles: ["user", "manager", "admin"],
};

function person(n: number, extra: Partial<AdminUser> = {}): AdminUser {
  return {
    id: `u${n}`,
    email: `user${n}@example.com`,
    name: `User ${n}`,
    role: "user",
    disabled: false,
    emailVerified: true,
    createdAt: "2030-01-01T00:00:00.000Z",
    lastSeenAt: "2030-01-02T00:00:00.000Z",
    liveSessions: n,
    ...extra,
  };
}

async function mountTable(
  path: string,
  list: (call: Call) => Response,
  viewer: Record<string, unknown> = ADMIN,
) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/permissions": () => json(viewer),
    "GET /api/admin/users": list,
  });
  const page = await mountPage(path);
  await flushPromises();
  const listCalls = () => mocks.calls.filter((c) => c.path === "/api/admin/users");
  const rows = () => page.wrapper.findAll("tbody tr");
  return { ...mocks, ...page, listCalls, rows };
}

describe("AdminUsersPage", () => {
  it("lists the users in a table, each row linking to the user's page", async () => {
    const { wrapper, rows } = await mountTable("/admin", () =>
      json({
        users: [
          person(1, { disabled: true, emailVerified: false, name: null, role: "admin" }),
          person(2, { lastSeenAt: null }),
        ],
        nextCursor: null,
      }),
    );
    expect(wrapper.find("h1").text()).toBe("Users");
    expect(wrapper.findAll("thead th").map((th) => th.text())).toEqual([
      "Email",
      "Name",
      "Role",
      "Status",
      "Created",
      "Last seen",
      "Live sessions",
    ]);
    expect(rows()).toHaveLength(2);
    const first = rows()[0]!
      .findAll("th, td")
      .map((cell) => cell.text());
    expect(first[0]).toBe("user1@example.com");
    expect(first[1]).toBe("—");
    expect(first[2]).toBe("admin");
    expect(first[3]).toContain("Disabled");
    expect(first[3]).toContain("Unverified");
    expect(first[6]).toBe("1");
    expect(rows()[1]!.text()).toContain("Active");
    expect(rows()[1]!.text()).toContain("Never");
    expect(rows()[0]!.find("a").attributes("href")).toBe("/admin/users/u1");
    expect(wrapper.find("[role=status]").text()).toBe("2 users");
    expect(wrapper.find("button.btn").exists()).toBe(false); // no "Load more"
  });

  it("searches after a pause in typing, with the query in the URL", async () => {
    const { wrapper, router, listCalls } = await mountTable("/admin", (call) =>
      json({
        users: call.query.get("query") === "ada" ? [person(7, { email: "ada@example.com" })] : [],
        nextCursor: null,
      }),
    );
    expect(listCalls()).toHaveLength(1);
    const input = wrapper.find("#user-search");
    await input.setValue("a");
    await input.setValue("ad");
    await input.setValue("ada");
    expect(listCalls()).toHaveLength(1); // nothing yet: still typing

    await vi.waitFor(() => expect(router.currentRoute.value.query.q).toBe("ada"));
    await flushPromises();
    expect(listCalls()).toHaveLength(2); // one request for the whole word
    expect(listCalls()[1]!.query.get("query")).toBe("ada");
    expect(wrapper.findAll("tbody tr")).toHaveLength(1);
    expect(wrapper.find("[role=status]").text()).toBe("1 user matching “ada”");

    // Clearing the box drops ?q= and lists everyone again.
    await input.setValue("");
    await vi.waitFor(() => expect(router.currentRoute.value.query.q).toBeUndefined());
    await flushPromises();
    expect(listCalls()).toHaveLength(3);
    expect(listCalls()[2]!.query.has("query")).toBe(false);
  });

  it("opens with the URL's ?q= in the box and the list", async () => {
    const { wrapper, listCalls } = await mountTable("/admin?q=grace", () =>
      json({ users: [], nextCursor: null }),
    );
    expect(wrapper.find<HTMLInputElement>("#user-search").element.value).toBe("grace");
    expect(listCalls().map((c) => c.query.get("query"))).toEqual(["grace"]);
    expect(wrapper.text()).toContain("No account has “grace” in its email or name.");
    expect(wrapper.find("[role=status]").text()).toBe("No users match “grace”.");
  });

  it("pages on with the keyset cursor until there is no next page", async () => {
    const { wrapper, rows, listCalls } = await mountTable("/admin?q=user", (call) =>
      call.query.get("cursor") === "c2"
        ? json({ users: [person(3)], nextCursor: null })
        : json({ users: [person(1), person(2)], nextCursor: "c2" }),
    );
    expect(rows()).toHaveLength(2);
    expect(wrapper.find("[role=status]").text()).toBe("2 users matching “user” (more below)");
    const more = wrapper.findAll("button").find((b) => b.text() === "Load more")!;
    await more.trigger("click");
    await flushPromises();
    expect(listCalls()[1]!.query.get("cursor")).toBe("c2");
    expect(listCalls()[1]!.query.get("query")).toBe("user");
    expect(rows().map((r) => r.find("a").text())).toEqual([
      "user1@example.com",
      "user2@example.com",
      "user3@example.com",
    ]);
    expect(document.activeElement?.textContent).toBe("user3@example.com");
    expect(wrapper.findAll("button").some((b) => b.text() === "Load more")).toBe(false);
  });

  it("says when no account exists yet", async () => {
    const { wrapper } = await mountTable("/admin", () => json({ users: [], nextCursor: null }));
    expect(wrapper.text()).toContain("No accounts yet.");
    expect(wrapper.find("table").exists()).toBe(false);
  });

  it("shows a failure, and tries again", async () => {
    let answer = () => problem(500, "The database is asleep.");
    const { wrapper, rows } = await mountTable("/admin", () => answer());
    expect(wrapper.find("[role=alert]").text()).toBe("The database is asleep.");
    answer = () => json({ users: [person(1)], nextCursor: null });
    await wrapper
      .findAll("button")
      .find((b) => b.text() === "Try again")!
      .trigger("click");
    await flushPromises();
    expect(wrapper.find("[role=alert]").exists()).toBe(false);
    expect(rows()).toHaveLength(1);
  });

  it("a 403 says the viewer may not see the users", async () => {
    const { wrapper } = await mountTable("/admin", () =>
      problem(403, "You may not list users.", { type: "/problems/forbidden" }),
    );
    expect(wrapper.find("[role=alert]").text()).toBe(
      "You don't have permission to do that. You may not list users.",
    );
  });
});

describe("the admin routes", () => {
  it("are not found for a viewer without users:read, and ask the server nothing", async () => {
    for (const path of ["/admin", "/admin/users/u1"]) {
      const { wrapper, router, listCalls, calls } = await mountTable(
        path,
        () => json({ users: [], nextCursor: null }),
        { role: "user", permissions: [], assignableRoles: [] },
      );
      expect(router.currentRoute.value.name).toBe("not-found");
      expect(router.currentRoute.value.path).toBe(path);
      expect(wrapper.find("h1").text()).toBe("Page not found");
      expect(listCalls()).toHaveLength(0);
      expect(calls.some((c) => c.path.startsWith("/api/admin"))).toBe(false);
      document.body.innerHTML = "";
    }
  });

  it("send a signed-out visitor to sign in first", async () => {
    mockFetch({ "GET /api/auth/session": () => problem(401, "Sign in.") });
    const { router } = await mountPage("/admin?q=x");
    expect(router.currentRoute.value.name).toBe("sign-in");
    expect(router.currentRoute.value.query.returnTo).toBe("/admin?q=x");
  });
});
