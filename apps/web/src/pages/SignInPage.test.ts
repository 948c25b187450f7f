import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../stores/session";
import { json, mockFetch, problem, type Call } from "../testing/fetch-mock";
import { mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const signedOut = { "GET /api/auth/session": () => problem(401, "Sign in to continue.") };

describe("SignInPage", () => {
  it("hands the email typed so far to the forgot-password page, outside the URL", async () => {
    mockFetch(signedOut);
    const { wrapper, router } = await mountPage("/sign-in");
    await wrapper.find("#email").setValue("ada@example.com");
    const link = wrapper.find(".forgot a");
    expect(link.text()).toBe("Forgot password?");
    expect(link.attributes("href")).toBe("/forgot-password");
    await link.trigger("click");
    await vi.waitFor(() => expect(wrapper.find("h1").text()).toBe("Forgot your password?"), 8000);
    expect(router.currentRoute.value.fullPath).toBe("/forgot-password");
    expect(wrapper.find<HTMLInputElement>("#email").element.value).toBe("ada@example.com");
  });

  it("when the email must be verified first (403), offers to resend the link", async () => {
    const { calls } = mockFetch({
      ...signedOut,
      "POST /api/auth/login": () =>
        problem(403, "Verify your email address to sign in.", {
          type: "/problems/email-not-verified",
        }),
      "POST /api/auth/email/verify/request": () => json({ message: "Sent." }, 202),
    });
    const { wrapper } = await mountPage("/sign-in");
    await wrapper.find("#email").setValue("ada@example.com");
    await wrapper.find("#password").setValue("violet-kettle-harbour-93");
    await wrapper.find("form").trigger("submit");
    await flushPromises();

    const alert = wrapper.find('[role="alert"]');
    expect(alert.text()).toContain("Verify your email address to sign in.");
    const resend = alert.find("button");
    expect(resend.text()).toBe("Resend verification email");
    await resend.trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({
      method: "POST",
      path: "/api/auth/email/verify/request",
      body: { email: "ada@example.com" },
    });
    expect(wrapper.find('[role="status"] .alert-success').text()).toContain(
      "If ada@example.com still needs verifying",
    );
  });

  it("any other 403 is just an error, with no resend button", async () => {
    mockFetch({
      ...signedOut,
      "POST /api/auth/login": () => problem(403, "Cross-site requests may not change anything."),
    });
    const { wrapper } = await mountPage("/sign-in");
    await wrapper.find("#email").setValue("ada@example.com");
    await wrapper.find("#password").setValue("x");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toContain("Cross-site");
    expect(wrapper.find('[role="alert"] button').exists()).toBe(false);
  });

  it("shows a success notice left by the password reset", async () => {
    mockFetch(signedOut);
    const { wrapper, router } = await mountPage("/forgot-password");
    session.markSignedOut("Your password was changed.", "success");
    await router.push("/sign-in");
    await vi.waitFor(() => expect(wrapper.find(".notice").exists()).toBe(true));
    expect(wrapper.find(".notice").classes()).toContain("alert-success");
    expect(wrapper.find(".notice").text()).toBe("Your password was changed.");
  });
});

describe("SignInPage: the second step", () => {
  const user = {
    id: "u1",
    email: "ada@example.com",
    name: "Ada",
    role: "user",
    createdAt: "2030-01-01T00:00:00.000Z",
    emailVerified: true,
  };

  async function passwordStep(
    verify: (call: Call) => Response,
    methods = ["totp", "recovery_code"],
  ) {
    const mocks = mockFetch({
      ...signedOut,
      "POST /api/auth/login": () => json({ twoFactorRequired: true, methods }),
      "POST /api/auth/2fa/verify": verify,
      "GET /api/todos": () => json({ todos: [], nextCursor: null }),
    });
    const page = await mountPage("/sign-in?returnTo=%2Fdevices");
    await page.wrapper.find("#email").setValue("ada@example.com");
    await page.wrapper.find("#password").setValue("violet-kettle-harbour-93");
    await page.wrapper.find("form").trigger("submit");
    await flushPromises();
    await vi.waitFor(() =>
      expect(page.wrapper.find("#totp-code, #recovery-code").exists()).toBe(true),
    );
    return { ...page, ...mocks };
  }

  it("asks for the authenticator code (focused), then signs in and goes on", async () => {
    const { wrapper, router, calls } = await passwordStep(() => json({ user }));
    expect(wrapper.find("h1").text()).toBe("Two-step verification");
    expect(wrapper.find("#password").exists()).toBe(false);
    const code = wrapper.find<HTMLInputElement>("#totp-code");
    expect(document.activeElement).toBe(code.element);
    expect(code.attributes("autocomplete")).toBe("one-time-code");
    expect(code.attributes("inputmode")).toBe("numeric");
    expect(wrapper.find('label[for="totp-code"]').text()).toBe("6-digit code");
    expect(session.signedIn).toBe(false);

    await code.setValue("123 456");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(calls.find((c) => c.path === "/api/auth/2fa/verify")!.body).toEqual({ code: "123456" });
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe("/devices"));
    expect(session.signedIn).toBe(true);
  });

  it("checks the code's shape before sending, and says so when the server refuses it", async () => {
    const { wrapper, calls } = await passwordStep(() =>
      problem(422, "Invalid code.", { errors: [{ pointer: "/code", detail: "is wrong" }] }),
    );
    await wrapper.find("#totp-code").setValue("12");
    await wrapper.find("form").trigger("submit");
    expect(wrapper.find("#totp-code-error").text()).toBe("The code is 6 digits, like 123456.");
    expect(calls.filter((c) => c.path === "/api/auth/2fa/verify")).toHaveLength(0);

    await wrapper.find("#totp-code").setValue("000000");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#totp-code-error").text()).toContain("That code is not right");
    expect(wrapper.find("[aria-live=assertive]").text()).toContain("That code is not right");
    expect(wrapper.find<HTMLInputElement>("#totp-code").element.value).toBe("");
    expect(document.activeElement?.id).toBe("totp-code");
  });

  it("a recovery code instead of the app", async () => {
    const { wrapper, calls, router } = await passwordStep(() => json({ user }));
    const toggle = wrapper.findAll("button").find((b) => b.text() === "Use a recovery code")!;
    await toggle.trigger("click");
    await flushPromises();
    expect(wrapper.find("#totp-code").exists()).toBe(false);
    expect(document.activeElement?.id).toBe("recovery-code");
    await wrapper.find("#recovery-code").setValue("abcde-fghij");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(calls.find((c) => c.path === "/api/auth/2fa/verify")!.body).toEqual({
      recoveryCode: "abcde-fghij",
    });
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe("/devices"));
  });

  it("an expired pending sign-in goes back to the password step with a message", async () => {
    const { wrapper } = await passwordStep(() =>
      problem(401, "Sign in again.", { type: "/problems/second-factor-expired" }),
    );
    await wrapper.find("#totp-code").setValue("123456");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("h1").text()).toBe("Welcome back");
    expect(wrapper.find('[role="alert"]').text()).toContain("Enter your password again");
    expect(wrapper.find<HTMLInputElement>("#email").element.value).toBe("ada@example.com");
    expect(document.activeElement?.id).toBe("password");
  });

  it("offers a passkey as the second factor only when the methods include one", async () => {
    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    const withPasskey = await passwordStep(
      () => json({ user }),
      ["totp", "recovery_code", "passkey"],
    );
    const labels = () => withPasskey.wrapper.findAll("button").map((b) => b.text());
    expect(labels()).toContain("Use a passkey");
    expect(labels()).not.toContain("Sign in with a passkey");
    withPasskey.wrapper.unmount();

    const without = await passwordStep(() => json({ user }));
    expect(without.wrapper.findAll("button").map((b) => b.text())).not.toContain("Use a passkey");
  });
});

describe("SignInPage: sign in with a passkey", () => {
  it("is offered only when the browser has WebAuthn", async () => {
    mockFetch(signedOut);
    const plain = await mountPage("/sign-in");
    expect(plain.wrapper.text()).not.toContain("Sign in with a passkey");
    plain.wrapper.unmount();

    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    const able = await mountPage("/sign-in");
    expect(able.wrapper.findAll("button").map((b) => b.text())).toContain("Sign in with a passkey");
  });

  it("says what went wrong when the server refuses the passkey", async () => {
    vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
    const { calls } = mockFetch({
      ...signedOut,
      "POST /api/auth/passkeys/authenticate/options": () =>
        problem(429, "Slow down.", {}, { "Retry-After": "30" }),
    });
    const { wrapper } = await mountPage("/sign-in");
    const button = wrapper.findAll("button").find((b) => b.text() === "Sign in with a passkey")!;
    await button.trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({
      path: "/api/auth/passkeys/authenticate/options",
      body: { purpose: "sign-in" },
    });
    expect(wrapper.find('[role="alert"]').text()).toBe("Too many attempts — try again in 30 s.");
    expect(session.signedIn).toBe(false);
  });
});
