import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../stores/session";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { claims, mountPage, user } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const signedOut = { "GET /api/auth/session": () => problem(401, "Sign in to continue.") };
const signedIn = { "GET /api/auth/session": () => json({ session: claims }) };

describe("ConfirmEmailPage", () => {
  it("signed in: confirms, then refreshes the session's user to the new address", async () => {
    const { calls } = mockFetch({
      ...signedIn,
      "POST /api/auth/email/change/confirm": () => noContent(),
      "GET /api/auth/me": () => json({ user: { ...user, email: "ada@new.example" } }),
    });
    const { wrapper, router } = await mountPage("/confirm-email?token=c1");
    expect(router.currentRoute.value.fullPath).toBe("/confirm-email");
    expect(calls.find((c) => c.path === "/api/auth/email/change/confirm")?.body).toEqual({
      token: "c1",
    });
    expect(wrapper.find("h1").text()).toBe("Your email address was changed");
    expect(wrapper.text()).toContain("You now sign in with ada@new.example");
    expect(session.state.user?.email).toBe("ada@new.example");
  });

  it("signed out: confirms and points to sign-in", async () => {
    mockFetch({ ...signedOut, "POST /api/auth/email/change/confirm": () => noContent() });
    const { wrapper } = await mountPage("/confirm-email?token=c1");
    expect(wrapper.find("h1").text()).toBe("Your email address was changed");
    expect(wrapper.find("a").attributes("href")).toBe("/sign-in");
  });

  it.each([
    [400, "This link has expired"],
    [409, "That address is taken"],
  ])("explains a %i", async (status, title) => {
    mockFetch({
      ...signedIn,
      "POST /api/auth/email/change/confirm": () => problem(status, "No."),
    });
    const { wrapper } = await mountPage("/confirm-email?token=c1");
    expect(wrapper.find("h1").text()).toBe(title);
    expect(wrapper.find('a[href="/account"]').exists()).toBe(true);
  });
});
