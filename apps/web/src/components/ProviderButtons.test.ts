import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import ProviderButtons from "./ProviderButtons.vue";
import { callbackErrorMessage, providerNames } from "../api/oidc";
import { describeSignInMethods } from "../lib/sign-in-methods";
import { json, mockFetch, problem } from "../testing/fetch-mock";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe("ProviderButtons", () => {
  it("shows one button per configured provider and leaves for the one clicked", async () => {
    const assign = vi.fn();
    vi.stubGlobal("location", { ...window.location, assign });
    const { calls } = mockFetch({
      "GET /api/auth/oidc/providers": () =>
        json({
          providers: [
            { id: "google", name: "Google" },
            { id: "corp", name: "Corp SSO" },
          ],
        }),
      "POST /api/auth/oidc/google/start": () =>
        json({ url: "https://accounts.google.com/o/oauth2/v2/auth?state=x" }),
    });
    const wrapper = mount(ProviderButtons);
    await flushPromises();
    const buttons = wrapper.findAll("button");
    expect(buttons.map((b) => b.text())).toEqual([
      "Continue with Google",
      "Continue with Corp SSO",
    ]);
    // The devices page names the provider's sessions from the same list.
    expect(providerNames.get("corp")).toBe("Corp SSO");
    expect(describeSignInMethods(["oidc:corp"])).toBe("Corp SSO");
    await buttons[0]!.trigger("click");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({ method: "POST", path: "/api/auth/oidc/google/start" });
    expect(assign).toHaveBeenCalledWith("https://accounts.google.com/o/oauth2/v2/auth?state=x");
  });

  it("shows nothing when no provider is configured, or the list cannot be read", async () => {
    vi.resetModules();
    const { default: Fresh } = await import("./ProviderButtons.vue");
    mockFetch({ "GET /api/auth/oidc/providers": () => json({ providers: [] }) });
    const none = mount(Fresh);
    await flushPromises();
    expect(none.find("button").exists()).toBe(false);

    vi.resetModules();
    const { default: Again } = await import("./ProviderButtons.vue");
    mockFetch({ "GET /api/auth/oidc/providers": () => problem(503, "Down.") });
    const failed = mount(Again);
    await flushPromises();
    expect(failed.find("button").exists()).toBe(false);
  });
});

describe("callbackErrorMessage", () => {
  it("says what happened for every code of the callback, and something for an unknown one", () => {
    for (const code of [
      "access_denied",
      "provider_error",
      "provider_unavailable",
      "expired",
      "state_mismatch",
      "invalid_response",
      "email_unverified",
      "email_invalid",
      "identity_in_use",
      "already_linked",
      "account_disabled",
      "wrong_account",
      "session_changed",
    ]) {
      expect(callbackErrorMessage(code, "Google")).toMatch(/\.$/);
    }
    expect(callbackErrorMessage("access_denied", "Google")).toBe(
      "You cancelled signing in with Google. Nothing was changed.",
    );
    expect(callbackErrorMessage("whatever")).toBe(
      "Signing in with the provider failed. Try again.",
    );
  });
});
