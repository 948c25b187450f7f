import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadPasswordPolicy } from "../lib/password-feedback";
import { session } from "../stores/session";
import { mockFetch, noContent, problem } from "../testing/fetch-mock";
import { mountPage } from "../testing/mount-page";

// The policy's dictionaries take a while to load on a busy machine: once, up front.
beforeAll(() => loadPasswordPolicy(), 30_000);

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const signedOut = { "GET /api/auth/session": () => problem(401, "Sign in to continue.") };
const STRONG = "violet-kettle-harbour-93";

async function submit(wrapper: Awaited<ReturnType<typeof mountPage>>["wrapper"], value: string) {
  await wrapper.find("#new-password").setValue(value);
  await wrapper.find("form").trigger("submit");
  await vi.waitFor(
    async () => {
      await flushPromises();
      expect(wrapper.find("button[type=submit]").exists()).toBe(true);
      expect(wrapper.find("button[type=submit]").attributes("disabled")).toBeUndefined();
    },
    { timeout: 5000 },
  );
  await flushPromises();
}

describe("ResetPasswordPage", () => {
  it("sends the token from memory with the new password, then goes to sign-in with a notice", async () => {
    const { calls } = mockFetch({
      ...signedOut,
      "POST /api/auth/password/reset": () => noContent(),
    });
    const { wrapper, router } = await mountPage("/reset-password?token=tok-123");
    expect(router.currentRoute.value.fullPath).toBe("/reset-password");

    await wrapper.find("#new-password").setValue(STRONG);
    await wrapper.find("form").trigger("submit");
    await vi.waitFor(() => expect(router.currentRoute.value.name).toBe("sign-in"), {
      timeout: 5000,
    });

    expect(calls.find((c) => c.path === "/api/auth/password/reset")?.body).toEqual({
      token: "tok-123",
      newPassword: STRONG,
    });
    await flushPromises();
    expect(wrapper.find(".alert-success").text()).toMatch(/Sign in with your new password/);
    expect(session.signedIn).toBe(false);
  });

  it("refuses a weak password before sending it", async () => {
    const { calls } = mockFetch(signedOut);
    const { wrapper } = await mountPage("/reset-password?token=t");
    await submit(wrapper, "password");
    expect(wrapper.find("#new-password-error").text()).toMatch(/^Password/);
    expect(calls.some((c) => c.path === "/api/auth/password/reset")).toBe(false);
  });

  it("explains an expired or used link (400) and offers a new one", async () => {
    mockFetch({
      ...signedOut,
      "POST /api/auth/password/reset": () => problem(400, "This link is invalid or expired."),
    });
    const { wrapper } = await mountPage("/reset-password?token=old");
    await wrapper.find("#new-password").setValue(STRONG);
    await wrapper.find("form").trigger("submit");
    await vi.waitFor(() => expect(wrapper.find("h1").text()).toBe("This link has expired"), {
      timeout: 5000,
    });
    expect(wrapper.find("form").exists()).toBe(false);
    expect(wrapper.find('a[href="/forgot-password"]').text()).toBe("Send me a new link");
    expect(document.activeElement).toBe(wrapper.find("h1").element);
  });

  it("says a dead link is dead before anyone types a password (the page checks it first)", async () => {
    const { calls } = mockFetch({
      ...signedOut,
      "POST /api/auth/password/reset/check": () => problem(400, "This link is invalid."),
    });
    const { wrapper } = await mountPage("/reset-password?token=stale");
    await vi.waitFor(() => expect(wrapper.find("h1").text()).toBe("This link has expired"), {
      timeout: 5000,
    });
    expect(calls.find((c) => c.path === "/api/auth/password/reset/check")?.body).toEqual({
      token: "stale",
    });
    expect(calls.some((c) => c.path === "/api/auth/password/reset")).toBe(false);
  });

  it("shows the server's password complaint on the field (422)", async () => {
    mockFetch({
      ...signedOut,
      "POST /api/auth/password/reset": () =>
        problem(422, "Invalid.", {
          errors: [{ pointer: "/newPassword", detail: "is too easy to guess" }],
        }),
    });
    const { wrapper } = await mountPage("/reset-password?token=t");
    await submit(wrapper, STRONG);
    expect(wrapper.find("#new-password-error").text()).toBe("Password is too easy to guess.");
  });

  it("says the link is incomplete when there is no token", async () => {
    mockFetch(signedOut);
    const { wrapper } = await mountPage("/reset-password");
    expect(wrapper.find("h1").text()).toBe("This link is incomplete");
    expect(wrapper.find('a[href="/forgot-password"]').exists()).toBe(true);
  });
});
