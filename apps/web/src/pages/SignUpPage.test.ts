import { flushPromises } from "@vue/test-utils";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { loadPasswordPolicy } from "../lib/password-feedback";
import { session } from "../stores/session";
import { deferred, json, mockFetch, problem } from "../testing/fetch-mock";
import { mountPage, user } from "../testing/mount-page";

beforeAll(() => loadPasswordPolicy(), 30_000);
afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

describe("SignUpPage", () => {
  it("when the email must be verified first (202): says so, stays signed out, can resend", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => problem(401, "Sign in to continue."),
      "POST /api/auth/register": () =>
        json({ user: { ...user, emailVerified: false }, emailVerificationRequired: true }, 202),
      "POST /api/auth/email/verify/request": () => json({ message: "Sent." }, 202),
    });
    const { wrapper, router } = await mountPage("/sign-up");
    await wrapper.find("#email").setValue("ada@example.com");
    await wrapper.find("#new-password").setValue("violet-kettle-harbour-93");
    await wrapper.find("form").trigger("submit");
    await vi.waitFor(() => expect(wrapper.find("h1").text()).toBe("Check your inbox"), {
      timeout: 5000,
    });

    expect(router.currentRoute.value.path).toBe("/sign-up");
    expect(session.signedIn).toBe(false);
    expect(wrapper.text()).toContain("We sent a link to ada@example.com");
    expect(document.activeElement).toBe(wrapper.find("h1").element);

    await wrapper.find("button").trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({
      path: "/api/auth/email/verify/request",
      body: { email: "ada@example.com" },
    });
    expect(wrapper.find(".alert-success").text()).toContain("We sent another link");
  });

  it("says why a password is refused once (the strength feedback); marks the button busy while it works", async () => {
    const answer = deferred<Response>();
    const { calls } = mockFetch({
      "GET /api/auth/session": () => problem(401, "Sign in to continue."),
      "POST /api/auth/register": () => answer.promise,
    });
    const { wrapper } = await mountPage("/sign-up");
    await wrapper.find("#email").setValue("ada@example.com");
    await wrapper.find("#new-password").setValue("password");
    await wrapper.find("form").trigger("submit");
    await vi.waitFor(
      () => expect(wrapper.find("#new-password-extra").text()).toMatch(/too easy to guess/i),
      {
        timeout: 5000,
      },
    );
    expect(wrapper.find("#new-password-error").exists()).toBe(false);
    expect(wrapper.findAll(".field-error")).toHaveLength(0);
    expect(calls.some((c) => c.path === "/api/auth/register")).toBe(false);
    const submit = wrapper.find("button[type=submit]");
    expect(submit.attributes("aria-busy")).toBeUndefined();

    // Busy: marked so (the style keeps its colours and shows the spinner, never fades it).
    await wrapper.find("#new-password").setValue("violet-kettle-harbour-93");
    await wrapper.find("form").trigger("submit");
    await vi.waitFor(() => expect(submit.attributes("aria-busy")).toBe("true"), { timeout: 5000 });
    expect(submit.text()).toBe("Creating your account…");
    answer.resolve(problem(409, "Taken."));
    await vi.waitFor(() => expect(submit.attributes("aria-busy")).toBeUndefined());
  });
});
