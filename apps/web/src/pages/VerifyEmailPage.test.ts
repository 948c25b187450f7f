import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Router } from "vue-router";
import { session } from "../stores/session";
import { json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import { claims, mountPage, user } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const signedOut = { "GET /api/auth/session": () => problem(401, "Sign in to continue.") };
const signedIn = { "GET /api/auth/session": () => json({ session: claims }) };

describe("VerifyEmailPage", () => {
  it("posts the token on load, once the URL no longer shows it", async () => {
    let pathAtPost = "";
    let verified = false;
    let router: Router | undefined;
    const { calls } = mockFetch({
      ...signedIn,
      "POST /api/auth/email/verify": () => {
        pathAtPost = router!.currentRoute.value.fullPath;
        verified = true;
        return noContent();
      },
      "GET /api/auth/me": () => json({ user: { ...user, emailVerified: verified } }),
    });
    const { wrapper } = await mountPage("/verify-email?token=tok-1", {
      onRouter: (r) => (router = r),
    });

    expect(pathAtPost).toBe("/verify-email");
    expect(calls.find((c: Call) => c.path === "/api/auth/email/verify")?.body).toEqual({
      token: "tok-1",
    });
    expect(wrapper.find("h1").text()).toBe("Your email is verified");
    expect(wrapper.text()).toContain("ada@example.com");
    // The session's user is brought up to date (the banner disappears).
    expect((session.state.user as { emailVerified?: boolean }).emailVerified).toBe(true);
    expect(wrapper.find('a[href="/todos"]').exists()).toBe(true);
  });

  it("a bad link, signed in: says so and resends (202, then 429)", async () => {
    let resends = 0;
    const { calls } = mockFetch({
      ...signedIn,
      "POST /api/auth/email/verify": () => problem(400, "Invalid or expired link."),
      "GET /api/auth/me": () => json({ user }),
      "POST /api/auth/email/verify/request": () =>
        ++resends === 1
          ? json({ message: "Sent." }, 202)
          : problem(429, "Slow down.", {}, { "Retry-After": "30" }),
    });
    const { wrapper } = await mountPage("/verify-email?token=old");
    expect(wrapper.find("h1").text()).toBe("This link has expired");

    const button = () => wrapper.find("button");
    expect(button().text()).toBe("Send a new link");
    await button().trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({ path: "/api/auth/email/verify/request", body: undefined });
    expect(wrapper.find(".alert-success").text()).toContain(
      "We sent a new link to ada@example.com",
    );

    await button().trigger("click");
    await flushPromises();
    expect(wrapper.find(".alert-error").text()).toBe("Too many attempts — try again in 30 s.");
    expect(button().attributes("disabled")).toBeDefined();
  });

  it("a used link when the email is verified already: all is well", async () => {
    mockFetch({
      ...signedIn,
      "POST /api/auth/email/verify": () => problem(400, "Used link."),
      "GET /api/auth/me": () => json({ user: { ...user, emailVerified: true } }),
    });
    const { wrapper } = await mountPage("/verify-email?token=used");
    expect(wrapper.find("h1").text()).toBe("Your email is already verified");
  });

  it("a bad link, signed out: points to sign-in to get a new one", async () => {
    mockFetch({
      ...signedOut,
      "POST /api/auth/email/verify": () => problem(400, "Invalid or expired link."),
    });
    const { wrapper } = await mountPage("/verify-email?token=old");
    expect(wrapper.find("h1").text()).toBe("This link has expired");
    expect(wrapper.find("button").exists()).toBe(false);
    expect(wrapper.find("a").attributes("href")).toBe("/sign-in?returnTo=/account");
  });

  it("offers to try again when the server cannot be reached", async () => {
    let attempts = 0;
    mockFetch({
      ...signedOut,
      "POST /api/auth/email/verify": () => {
        if (++attempts === 1) throw new TypeError("Failed to fetch");
        return noContent();
      },
    });
    const { wrapper } = await mountPage("/verify-email?token=t");
    expect(wrapper.find("h1").text()).toBe("We couldn't verify your email");
    await wrapper.find("button").trigger("click");
    await flushPromises();
    expect(wrapper.find("h1").text()).toBe("Your email is verified");
  });

  it("without a token, says the link is incomplete and sends nothing", async () => {
    const { calls } = mockFetch(signedOut);
    const { wrapper } = await mountPage("/verify-email");
    expect(wrapper.find("h1").text()).toBe("This link is incomplete");
    expect(calls.some((c) => c.path === "/api/auth/email/verify")).toBe(false);
  });
});
