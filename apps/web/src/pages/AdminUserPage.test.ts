import { flushPromises, type DOMWrapper } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { AdminUser, UserDetails } from "../api/admin";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import { claims, mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  toasts.clear();
  document.body.innerHTML = "";
});

const ALL = ["users:read", "users:write", "sessions:revoke"];

const grace: AdminUser = {
  id: "u2",
  email: "grace@example.com",
  name: "Grace",
  role: "user",
  disabled: false,
  emailVerified: true,
  createdAt: "2030-01-01T00:00:00.000Z",
  lastSeenAt: "2030-01-02T00:00:00.000Z",
  liveSessions: 2,
};

function detailsOf(user: AdminUser = grace): UserDetails {
  return {
    user,
    sessions: [
      {
        id: "s1",
        device: "Firefox 131 on Linux",
        ip: "203.0.113.9",
        createdAt: "2030-01-01T00:00:00.000Z",
        lastSeenAt: "2030-01-02T00:00:00.000Z",
      },
      {
        id: "s2",
        device: "Mobile Safari on iOS",
        ip: null,
        createdAt: "2030-01-01T00:00:00.000Z",
        lastSeenAt: "2030-01-01T12:00:00.000Z",
      },
    ],
    events: [
      {
        id: "e2",
        type: "role_changed",
        createdAt: "2030-01-02T00:00:00.000Z",
        ip: "198.51.100.1",
        device: "Chrome 131 on macOS",
        actor: { id: "a1", email: "admin@example.com" },
      },
      {
        id: "e1",
        type: "signed_in",
        createdAt: "2030-01-01T00:00:00.000Z",
        ip: "203.0.113.9",
        device: "Firefox 131 on Linux",
        actor: null,
      },
    ],
  };
}

async function mountUser(
  options: {
    permissions?: string[];
    assignableRoles?: string[];
    details?: () => Response;
    extra?: Record<string, (call: Call) => Response>;
  } = {},
) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/permissions": () =>
      json({
        role: "admin",
        permissions: options.permissions ?? ALL,
        assignableRoles: options.assignableRoles ?? ["user", "manager", "admin"],
      }),
    "GET /api/admin/users/:id": options.details ?? (() => json(detailsOf())),
    "GET /api/admin/users": () => json({ users: [], nextCursor: null }),
    ...options.extra,
  });
  const page = await mountPage("/admin/users/u2");
  await flushPromises();
  const { wrapper } = page;
  // A button of the page (the open dialog's confirm button often has the same name).
  const button = (name: string | RegExp) =>
    wrapper
      .findAll("button")
      .filter((b) => !b.element.closest("dialog"))
      .find((b) =>
        typeof name === "string"
          ? b.text() === name || b.attributes("aria-label") === name
          : name.test(b.attributes("aria-label") ?? b.text()),
      );
  const dialog = () => wrapper.find("dialog");
  const dialogOpen = () => (dialog().element as HTMLDialogElement).open;
  const writes = () => mocks.calls.filter((c) => c.method !== "GET");
  return { ...mocks, ...page, button, dialog, dialogOpen, writes };
}

async function confirm(dialog: DOMWrapper<Element>) {
  await dialog.find("form").trigger("submit");
  await flushPromises();
}

describe("AdminUserPage", () => {
  it("shows the profile, live sessions and activity with the administrator who acted", async () => {
    const { wrapper } = await mountUser();
    expect(wrapper.find("h1").text()).toBe("grace@example.com");
    expect(wrapper.find("dl").text()).toContain("Grace");
    const sessions = wrapper.find('[aria-labelledby="sessions-title"] ul').findAll("li");
    expect(sessions).toHaveLength(2);
    expect(sessions[0]!.text()).toContain("Firefox 131 on Linux");
    expect(sessions[0]!.text()).toContain("203.0.113.9");
    const events = wrapper.find("ol").findAll("li");
    expect(events[0]!.text()).toContain("Role changed");
    expect(events[0]!.text()).toContain("by admin@example.com");
    expect(events[1]!.text()).toContain("Signed in");
    expect(events[1]!.text()).not.toContain("by ");
  });

  it("an administrator gets every action", async () => {
    const { wrapper, button } = await mountUser();
    expect(button("Sign out everywhere")).toBeDefined();
    expect(button("Log out this device (Firefox 131 on Linux)")).toBeDefined();
    expect(button("Save role")).toBeDefined();
    expect(button("Disable account")).toBeDefined();
    expect(button("Delete user")).toBeDefined();
    expect(wrapper.findAll("#role-select option").map((o) => o.text())).toEqual([
      "user",
      "manager",
      "admin",
    ]);
  });

  it("a manager (users:read, sessions:revoke) may sign out but not change the account", async () => {
    const { wrapper, button } = await mountUser({
      permissions: ["users:read", "sessions:revoke"],
      assignableRoles: ["user"],
    });
    expect(button("Sign out everywhere")).toBeDefined();
    expect(button(/^Log out this device/)).toBeDefined();
    expect(button("Save role")).toBeUndefined();
    expect(button("Disable account")).toBeUndefined();
    expect(button("Delete user")).toBeUndefined();
    expect(wrapper.find("#role-select").exists()).toBe(false);
  });

  it("a read-only viewer gets no action buttons at all", async () => {
    const { button } = await mountUser({ permissions: ["users:read"], assignableRoles: [] });
    expect(button("Sign out everywhere")).toBeUndefined();
    expect(button(/^Log out this device/)).toBeUndefined();
    expect(button("Delete user")).toBeUndefined();
  });

  it("signs the user out everywhere only after confirming", async () => {
    let revoked = false;
    const { button, dialog, dialogOpen, writes } = await mountUser({
      details: () =>
        json(revoked ? { ...detailsOf({ ...grace, liveSessions: 0 }), sessions: [] } : detailsOf()),
      extra: {
        "POST /api/admin/users/:id/sessions/revoke": () => {
          revoked = true;
          return json({ revoked: 2 });
        },
      },
    });
    await button("Sign out everywhere")!.trigger("click");
    await flushPromises();
    expect(dialogOpen()).toBe(true);
    expect(dialog().find("h2").text()).toBe("Sign out everywhere?");
    expect(dialog().text()).toContain("grace@example.com");
    expect(writes()).toHaveLength(0);

    await confirm(dialog());
    expect(writes().map((c) => [c.method, c.path])).toEqual([
      ["POST", "/api/admin/users/u2/sessions/revoke"],
    ]);
    expect(dialogOpen()).toBe(false);
    expect(toasts.items.at(-1)?.message).toBe("Signed grace@example.com out on 2 devices.");
    expect(dialog().element.closest(".page")!.textContent).toContain("Not signed in anywhere.");
  });

  it("cancelling a confirmation sends nothing", async () => {
    const { button, dialog, dialogOpen, writes } = await mountUser();
    await button("Delete user")!.trigger("click");
    await flushPromises();
    expect(dialog().find("h2").text()).toBe("Delete this user?");
    await dialog()
      .findAll("button")
      .find((b) => b.text() === "Cancel")!
      .trigger("click");
    await flushPromises();
    expect(dialogOpen()).toBe(false);
    expect(writes()).toHaveLength(0);
  });

  it("logs out one device after confirming", async () => {
    const { button, dialog, writes } = await mountUser({
      extra: { "DELETE /api/admin/users/:id/sessions/:sessionId": () => noContent() },
    });
    await button("Log out this device (Mobile Safari on iOS)")!.trigger("click");
    await flushPromises();
    expect(dialog().find("h2").text()).toBe("Log out this device?");
    expect(dialog().text()).toContain("Mobile Safari on iOS");
    await confirm(dialog());
    expect(writes().map((c) => [c.method, c.path])).toEqual([
      ["DELETE", "/api/admin/users/u2/sessions/s2"],
    ]);
    expect(toasts.items.at(-1)?.message).toBe("Logged out Mobile Safari on iOS.");
  });

  it("saves a new role without a dialog", async () => {
    const { wrapper, button, writes } = await mountUser({
      extra: { "PATCH /api/admin/users/:id": () => json({ user: { ...grace, role: "manager" } }) },
    });
    expect(button("Save role")!.attributes("disabled")).toBeDefined(); // nothing changed yet
    await wrapper.find("#role-select").setValue("manager");
    await wrapper.find("#role-select").element.closest("form")!.requestSubmit();
    await flushPromises();
    expect(writes().map((c) => [c.method, c.path, c.body])).toEqual([
      ["PATCH", "/api/admin/users/u2", { role: "manager" }],
    ]);
    expect(toasts.items.at(-1)?.message).toBe("grace@example.com is now a manager.");
  });

  it("lists a role the viewer cannot grant as the current, unselectable one", async () => {
    const { wrapper } = await mountUser({
      details: () => json(detailsOf({ ...grace, role: "owner" })),
    });
    const options = wrapper.findAll<HTMLOptionElement>("#role-select option");
    expect(options.map((o) => o.text())).toEqual([
      "owner (you can't grant this role)",
      "user",
      "manager",
      "admin",
    ]);
    expect(options[0]!.element.disabled).toBe(true);
    expect(wrapper.find<HTMLSelectElement>("#role-select").element.value).toBe("owner");
  });

  it("disables after confirming, and enables straight away", async () => {
    let disabled = false;
    const { button, dialog, writes } = await mountUser({
      details: () => json(detailsOf({ ...grace, disabled })),
      extra: {
        "PATCH /api/admin/users/:id": (call) => {
          disabled = (call.body as { disabled: boolean }).disabled;
          return json({ user: { ...grace, disabled } });
        },
      },
    });
    await button("Disable account")!.trigger("click");
    await flushPromises();
    expect(dialog().find("h2").text()).toBe("Disable this account?");
    expect(dialog().text()).toContain("signed out on every device");
    expect(writes()).toHaveLength(0);
    await confirm(dialog());
    expect(writes().at(-1)?.body).toEqual({ disabled: true });
    expect(button("Disable account")).toBeUndefined();

    await button("Enable account")!.trigger("click");
    await flushPromises();
    expect(writes().at(-1)?.body).toEqual({ disabled: false });
    expect(button("Disable account")).toBeDefined();
  });

  it("says why the server refused: the last administrator (409) and a missing permission (403)", async () => {
    let answer = () =>
      problem(409, "That would leave no enabled administrator.", {
        type: "/problems/last-admin",
      });
    const { wrapper, button, dialog, dialogOpen } = await mountUser({
      details: () => json(detailsOf({ ...grace, role: "admin" })),
      extra: { "PATCH /api/admin/users/:id": () => answer() },
    });
    await button("Disable account")!.trigger("click");
    await flushPromises();
    await confirm(dialog());
    expect(dialogOpen()).toBe(false);
    expect(wrapper.find("[role=alert]").text()).toBe("That would leave no enabled administrator.");
    expect(button("Disable account")).toBeDefined(); // nothing changed

    answer = () =>
      problem(403, "You can't grant a role whose permissions you don't hold.", {
        type: "/problems/forbidden",
      });
    await wrapper.find("#role-select").setValue("manager");
    await wrapper.find("#role-select").element.closest("form")!.requestSubmit();
    await flushPromises();
    expect(wrapper.find("[role=alert]").text()).toBe(
      "You don't have permission to do that. You can't grant a role whose permissions you don't hold.",
    );
    // The select goes back to the role the user still has.
    expect(wrapper.find<HTMLSelectElement>("#role-select").element.value).toBe("admin");
  });

  it("deletes after confirming and goes back to the table with a toast", async () => {
    const { button, dialog, writes, router } = await mountUser({
      extra: { "DELETE /api/admin/users/:id": () => noContent() },
    });
    await button("Delete user")!.trigger("click");
    await flushPromises();
    expect(dialog().text()).toContain("grace@example.com");
    await confirm(dialog());
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe("admin"));
    expect(writes().map((c) => [c.method, c.path])).toEqual([["DELETE", "/api/admin/users/u2"]]);
    expect(toasts.items.at(-1)?.message).toBe("Deleted grace@example.com.");
  });

  it("a deletion the server refuses (409) stays on the page and says why", async () => {
    const { wrapper, button, dialog, router } = await mountUser({
      extra: {
        "DELETE /api/admin/users/:id": () =>
          problem(409, "The last administrator cannot be deleted.", {
            type: "/problems/last-admin",
          }),
      },
    });
    await button("Delete user")!.trigger("click");
    await flushPromises();
    await confirm(dialog());
    expect(router.currentRoute.value.name).toBe("admin-user");
    expect(wrapper.find("[role=alert]").text()).toBe("The last administrator cannot be deleted.");
  });

  it("says when there is no such user (404)", async () => {
    const { wrapper } = await mountUser({ details: () => problem(404, "No such user.") });
    expect(wrapper.find("h1").text()).toBe("User not found");
    expect(wrapper.find("[role=alert]").text()).toMatch(/no user with this id/);
    expect(wrapper.find('a[href="/admin"]').exists()).toBe(true);
  });

  it("shows a failure to load, and tries again", async () => {
    let answer = () => problem(500, "Down for a moment.");
    const { wrapper } = await mountUser({ details: () => answer() });
    expect(wrapper.find("[role=alert]").text()).toBe("Down for a moment.");
    answer = () => json(detailsOf());
    await wrapper
      .findAll("button")
      .find((b) => b.text() === "Try again")!
      .trigger("click");
    await flushPromises();
    expect(wrapper.find("h1").text()).toBe("grace@example.com");
  });
});
