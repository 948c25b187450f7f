import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMemoryHistory } from "vue-router";
import App from "../App.vue";
import { createAppRouter } from "../router";
import { session } from "../stores/session";
import { toasts } from "../stores/toasts";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import { claims, user } from "../testing/mount-page";
import VerifyEmailBanner from "./VerifyEmailBanner.vue";

beforeEach(() => sessionStorage.clear());
afterEach(() => {
  vi.unstubAllGlobals();
  toasts.clear();
  document.body.innerHTML = "";
});

async function mountBanner(handlers: Parameters<typeof mockFetch>[0] = {}) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/me": () => json({ user }),
    ...handlers,
  });
  session.markSignedOut();
  await session.refresh();
  await session.loadUser();
  const wrapper = mount(VerifyEmailBanner, { attachTo: document.body });
  return { wrapper, ...mocks };
}

describe("VerifyEmailBanner", () => {
  it("asks to verify the address, and resends the link (202)", async () => {
    const { wrapper, calls } = await mountBanner({
      "POST /api/auth/email/verify/request": () => json({ message: "Sent." }, 202),
    });
    expect(wrapper.find("aside").attributes("aria-label")).toBe("Email verification");
    expect(wrapper.text()).toContain("Verify your email address.");
    expect(wrapper.text()).toContain("ada@example.com");
    expect(wrapper.find('[role="status"]').text()).toBe("");

    await wrapper.find("button.resend").trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({ method: "POST", path: "/api/auth/email/verify/request" });
    expect(wrapper.find('[role="status"]').text()).toContain("Sent — check your inbox");
  });

  it("shows the 429 cool-down with the button disabled", async () => {
    const { wrapper } = await mountBanner({
      "POST /api/auth/email/verify/request": () =>
        problem(429, "Slow down.", {}, { "Retry-After": "45" }),
    });
    await wrapper.find("button.resend").trigger("click");
    await flushPromises();
    expect(wrapper.find('[role="status"]').text()).toBe("Too many attempts — try again in 45 s.");
    expect(wrapper.find("button.resend").attributes("disabled")).toBeDefined();
  });

  it("already verified (409): refreshes the user and says so", async () => {
    let verified = false;
    const { wrapper } = await mountBanner({
      "GET /api/auth/me": () => json({ user: { ...user, emailVerified: verified } }),
      "POST /api/auth/email/verify/request": () => {
        verified = true;
        return problem(409, "Already verified.");
      },
    });
    await wrapper.find("button.resend").trigger("click");
    await flushPromises();
    expect(toasts.items.at(-1)?.message).toBe("Your email is already verified.");
    expect((session.state.user as { emailVerified?: boolean }).emailVerified).toBe(true);
  });

  it("dismissed, it stays away for the rest of the browser session", async () => {
    const { wrapper } = await mountBanner();
    await wrapper.find("button.dismiss").trigger("click");
    expect(wrapper.find("aside").exists()).toBe(false);
    expect(sessionStorage.getItem("tidy:verify-email-banner-dismissed")).toBe("u1");
    const again = mount(VerifyEmailBanner);
    expect(again.find("aside").exists()).toBe(false);
  });
});

describe("the app shell", () => {
  async function mountApp(path: string, me: typeof user) {
    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/me": () => json({ user: me }),
      "GET /api/todos": () => json({ todos: [], nextCursor: null }),
      "POST /api/auth/email/verify": () => new Response(null, { status: 204 }),
    });
    session.markSignedOut();
    await session.refresh();
    const router = createAppRouter({ history: createMemoryHistory(), session });
    await router.push(path);
    await router.isReady();
    const wrapper = mount(App, { global: { plugins: [router] }, attachTo: document.body });
    return { wrapper, router };
  }

  it("shows the banner to a signed-in user whose email is not verified", async () => {
    const { wrapper } = await mountApp("/account", user);
    await vi.waitFor(() => expect(wrapper.find(".verify-banner").exists()).toBe(true), {
      timeout: 5000,
    });
  });

  it("not once the email is verified", async () => {
    const { wrapper } = await mountApp("/account", { ...user, emailVerified: true });
    await vi.waitFor(() => expect(session.state.user?.email).toBe(user.email));
    await flushPromises();
    expect(wrapper.find(".verify-banner").exists()).toBe(false);
  });

  it("not on the page of an emailed link", async () => {
    const { wrapper } = await mountApp("/verify-email?token=t", user);
    await vi.waitFor(() => expect(session.state.user?.email).toBe(user.email));
    await flushPromises();
    expect(wrapper.find(".verify-banner").exists()).toBe(false);
  });
});
