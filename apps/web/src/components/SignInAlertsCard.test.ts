import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import SignInAlertsCard from "./SignInAlertsCard.vue";

afterEach(() => vi.unstubAllGlobals());

describe("SignInAlertsCard", () => {
  it("loads the setting and saves a flip of the switch", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/me/notifications": () => json({ newSignInAlerts: true }),
      "PATCH /api/auth/me/notifications": () => json({ newSignInAlerts: false }),
    });
    const wrapper = mount(SignInAlertsCard);
    const toggle = () => wrapper.find<HTMLInputElement>("#sign-in-alerts");
    expect(toggle().element.disabled).toBe(true); // until loaded
    await flushPromises();
    expect(toggle().attributes("role")).toBe("switch");
    expect(toggle().element.checked).toBe(true);
    expect(wrapper.find("label[for=sign-in-alerts]").text()).toBe(
      "Email me when a new device signs in to my account",
    );

    await toggle().setValue(false);
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({ method: "PATCH", body: { newSignInAlerts: false } });
    expect(toggle().element.checked).toBe(false);
    expect(wrapper.find('[role="status"]').text()).toContain("no more emails");
  });

  it("puts the switch back when saving fails", async () => {
    mockFetch({
      "GET /api/auth/me/notifications": () => json({ newSignInAlerts: true }),
      "PATCH /api/auth/me/notifications": () =>
        problem(429, "Slow down.", {}, { "Retry-After": "9" }),
    });
    const wrapper = mount(SignInAlertsCard);
    await flushPromises();
    await wrapper.find("#sign-in-alerts").setValue(false);
    await flushPromises();
    expect(wrapper.find<HTMLInputElement>("#sign-in-alerts").element.checked).toBe(true);
    expect(wrapper.find('[role="status"]').text()).toBe("Too many attempts — try again in 9 s.");
  });

  it("offers to retry when the setting cannot be loaded", async () => {
    let fail = true;
    mockFetch({
      "GET /api/auth/me/notifications": () =>
        fail ? problem(500, "Boom.") : json({ newSignInAlerts: false }),
    });
    const wrapper = mount(SignInAlertsCard);
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe("Boom.");
    fail = false;
    await wrapper.find("button").trigger("click");
    await flushPromises();
    expect(wrapper.find<HTMLInputElement>("#sign-in-alerts").element.checked).toBe(false);
  });
});
