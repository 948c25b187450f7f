import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../stores/session";
import { json, mockFetch, problem } from "../testing/fetch-mock";
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
    await vi.waitFor(() => expect(wrapper.find("h1").text()).toBe("Forgot your password?"));
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
