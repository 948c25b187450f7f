import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { claims, mountPage, user } from "../testing/mount-page";
import { loadPasswordPolicy } from "../lib/password-feedback";

beforeAll(() => loadPasswordPolicy(), 30_000);

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

async function mountAccount(me: Record<string, unknown>, extra = {}) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/me": () => json({ user: me }),
    "GET /api/auth/me/notifications": () => json({ newSignInAlerts: true }),
    "GET /api/auth/2fa": () =>
      json({ totp: { enabled: false, enabledAt: null }, recoveryCodes: { remaining: 0 } }),
    "GET /api/auth/passkeys": () => json({ passkeys: [] }),
    ...extra,
  });
  const page = await mountPage("/account");
  await vi.waitFor(() => expect(page.wrapper.find(".email").exists()).toBe(true));
  return { ...page, ...mocks };
}

describe("AccountPage", () => {
  it("shows a verified email as such", async () => {
    const { wrapper } = await mountAccount({ ...user, emailVerified: true });
    expect(wrapper.find(".email").text()).toContain("Verified");
    expect(wrapper.find(".email button").exists()).toBe(false);
  });

  it("an unverified email gets a badge and a resend button (202, 409)", async () => {
    let answer = () => json({ message: "Sent." }, 202);
    const { wrapper } = await mountAccount(user, {
      "POST /api/auth/email/verify/request": () => answer(),
    });
    expect(wrapper.find(".email").text()).toContain("Not verified");
    await wrapper.find(".email button").trigger("click");
    await flushPromises();
    expect(wrapper.find(".email [role=status]").text()).toBe(
      "We sent a new link to ada@example.com.",
    );

    answer = () => problem(409, "Already verified.");
    await wrapper.find(".email button").trigger("click");
    await flushPromises();
    expect(wrapper.find(".email [role=status]").text()).toBe("Your email is already verified.");
  });

  it("says nothing about verification while the server does not report it", async () => {
    const older: Record<string, unknown> = { ...user };
    delete older.emailVerified;
    const { wrapper } = await mountAccount(older);
    expect(wrapper.find(".email").text()).not.toMatch(/verified/i);
  });

  it("has every section, each titled", async () => {
    const { wrapper } = await mountAccount(user);
    const titles = wrapper.findAll("h2").map((h) => h.text());
    expect(titles).toEqual([
      "Profile",
      "Change email",
      "Change password",
      "Two-factor authentication",
      "Turn off two-factor authentication?",
      "Create new recovery codes?",
      "Passkeys",
      "Remove this passkey?",
      "API keys",
      "Sign-in alerts",
      "Your data",
      "Sign out",
      "Delete account",
      "Delete your account?",
    ]);
  });

  it("links to the API keys page", async () => {
    const { wrapper } = await mountAccount(user);
    const link = wrapper.findAll("a").find((a) => a.text() === "Manage API keys");
    expect(link?.attributes("href")).toBe("/api-keys");
  });

  it("announces a password change once: in the form's status, not in a toast as well", async () => {
    const { wrapper } = await mountAccount(user, {
      "POST /api/auth/password": () => noContent(),
    });
    const status = wrapper.find(".password-status");
    // The live region is there, empty, before anything happens.
    expect(status.attributes("role")).toBe("status");
    expect(status.text()).toBe("");
    const before = toasts.items.length;

    await wrapper.find("#current-password").setValue("old-password-123");
    await wrapper.find("#new-password").setValue("violet-kettle-harbour-93");
    await wrapper.find(".password-form").trigger("submit");
    await vi.waitFor(() => expect(status.text()).toContain("Your password was changed."), {
      timeout: 5000,
    });
    expect(toasts.items.length).toBe(before);
  });

  it("says why a new password is refused once, in the strength feedback", async () => {
    const { wrapper } = await mountAccount(user);
    await wrapper.find("#current-password").setValue("old-password-123");
    await wrapper.find("#new-password").setValue("password");
    await wrapper.find(".password-form").trigger("submit");
    await vi.waitFor(
      () => expect(wrapper.find("#new-password-extra").text()).toMatch(/too easy to guess/i),
      {
        timeout: 5000,
      },
    );
    expect(wrapper.find("#new-password-error").exists()).toBe(false);
    expect(document.activeElement).toBe(wrapper.find("#new-password").element);
  });
});
