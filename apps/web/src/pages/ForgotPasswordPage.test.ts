import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import { mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const signedOut = { "GET /api/auth/session": () => problem(401, "Sign in to continue.") };

describe("ForgotPasswordPage", () => {
  it("starts from the email typed on the sign-in page (history state, not the URL)", async () => {
    mockFetch(signedOut);
    const { wrapper, router } = await mountPage("/forgot-password", {
      state: { email: "ada@example.com" },
    });
    expect(router.currentRoute.value.fullPath).toBe("/forgot-password");
    expect(wrapper.find<HTMLInputElement>("#email").element.value).toBe("ada@example.com");
  });

  it("always shows the same confirmation, echoing the address, with a way back", async () => {
    const { calls } = mockFetch({
      ...signedOut,
      "POST /api/auth/password/forgot": () => json({ message: "Check your inbox." }, 202),
    });
    const { wrapper } = await mountPage("/forgot-password");
    await wrapper.find("#email").setValue("  ada@example.com ");
    await wrapper.find("form").trigger("submit");
    await flushPromises();

    expect(calls.at(-1)).toMatchObject({
      path: "/api/auth/password/forgot",
      body: { email: "ada@example.com" },
    });
    expect(wrapper.find("h1").text()).toBe("Check your inbox");
    expect(wrapper.text()).toContain("If an account uses ada@example.com");
    expect(wrapper.text()).toContain("spam");
    expect(document.activeElement).toBe(wrapper.find("h1").element);
    expect(wrapper.find('a[href="/sign-in"]').exists()).toBe(true);

    await wrapper.find("button.btn-ghost").trigger("click");
    expect(wrapper.find("form").exists()).toBe(true);
  });

  it("checks the address before sending", async () => {
    const { calls } = mockFetch(signedOut);
    const { wrapper } = await mountPage("/forgot-password");
    await wrapper.find("#email").setValue("ada@");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#email-error").text()).toMatch(/valid email/);
    expect(calls.some((c) => c.path === "/api/auth/password/forgot")).toBe(false);
  });

  it("shows the 429 cool-down and keeps the button disabled", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      mockFetch({
        ...signedOut,
        "POST /api/auth/password/forgot": () =>
          problem(429, "Too many requests.", {}, { "Retry-After": "2" }),
      });
      const { wrapper } = await mountPage("/forgot-password");
      await wrapper.find("#email").setValue("ada@example.com");
      await wrapper.find("form").trigger("submit");
      await flushPromises();
      expect(wrapper.find('[role="alert"]').text()).toBe("Too many attempts — try again in 2 s.");
      expect(wrapper.find("button[type=submit]").attributes("disabled")).toBeDefined();
      await vi.advanceTimersByTimeAsync(2100);
      expect(wrapper.find('[role="alert"]').exists()).toBe(false);
      expect(wrapper.find("button[type=submit]").attributes("disabled")).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("shows the server's complaint about the address on its field (422)", async () => {
    mockFetch({
      ...signedOut,
      "POST /api/auth/password/forgot": () =>
        problem(422, "Invalid.", { errors: [{ pointer: "/email", detail: "is not valid" }] }),
    });
    const { wrapper } = await mountPage("/forgot-password");
    await wrapper.find("#email").setValue("ada@example.co");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#email-error").text()).toBe("Email is not valid.");
  });
});
