import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import { createAppRouter } from "../router";
import { session } from "../stores/session";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import { claims } from "../testing/mount-page";
import AppHeader from "./AppHeader.vue";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

async function mountHeader(handlers: Parameters<typeof mockFetch>[0]) {
  const mocks = mockFetch(handlers);
  session.markSignedOut();
  await session.refresh();
  const router = createAppRouter({ history: createMemoryHistory(), session });
  const wrapper = mount(AppHeader, { global: { plugins: [router] } });
  await flushPromises();
  const navLabels = () => wrapper.findAll("nav a").map((a) => a.text());
  return { ...mocks, wrapper, navLabels };
}

const permissionCalls = (calls: { path: string }[]) =>
  calls.filter((c) => c.path === "/api/auth/permissions");

describe("AppHeader", () => {
  it("offers Admin to a viewer who may read users", async () => {
    const { wrapper, navLabels, calls } = await mountHeader({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/permissions": () =>
        json({
          role: "manager",
          permissions: ["users:read", "sessions:revoke"],
          assignableRoles: [],
        }),
    });
    expect(navLabels()).toEqual(["To-dos", "Devices", "Account", "Admin"]);
    expect(wrapper.find('a[href="/admin"]').exists()).toBe(true);
    expect(permissionCalls(calls)).toHaveLength(1);
  });

  it("shows no Admin link without users:read", async () => {
    const { navLabels, calls } = await mountHeader({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/permissions": () =>
        json({ role: "user", permissions: [], assignableRoles: [] }),
    });
    expect(navLabels()).toEqual(["To-dos", "Devices", "Account"]);
    expect(permissionCalls(calls)).toHaveLength(1);
  });

  it("shows no Admin link when the permissions cannot be had", async () => {
    const { navLabels } = await mountHeader({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/permissions": () => problem(500, "Oops."),
    });
    expect(navLabels()).toEqual(["To-dos", "Devices", "Account"]);
  });

  it("does not ask signed out, and drops the link on sign-out", async () => {
    const { wrapper, calls } = await mountHeader({
      "GET /api/auth/session": () => problem(401, "Sign in."),
    });
    expect(permissionCalls(calls)).toHaveLength(0);
    expect(wrapper.text()).toContain("Sign in");

    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/permissions": () =>
        json({ role: "admin", permissions: ["users:read"], assignableRoles: [] }),
    });
    await session.refresh();
    await flushPromises();
    expect(wrapper.find('a[href="/admin"]').exists()).toBe(true);

    session.markSignedOut();
    await flushPromises();
    expect(wrapper.find('a[href="/admin"]').exists()).toBe(false);
  });

  it("has the theme switch signed in and out, and a sign-out button labelled in words", async () => {
    const { wrapper } = await mountHeader({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/permissions": () =>
        json({ role: "user", permissions: [], assignableRoles: [] }),
    });
    expect(wrapper.find("fieldset.theme-switch legend").text()).toBe("Theme");
    const signOut = wrapper.find("button.sign-out");
    expect(signOut.text()).toBe("Sign out");
    expect(signOut.find(".visually-hidden").exists()).toBe(false);

    session.markSignedOut();
    await flushPromises();
    expect(wrapper.find("fieldset.theme-switch").exists()).toBe(true);
    expect(wrapper.find("button.sign-out").exists()).toBe(false);
  });
});
