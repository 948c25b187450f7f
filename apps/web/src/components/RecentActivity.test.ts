import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch } from "../testing/fetch-mock";
import RecentActivity from "./RecentActivity.vue";

afterEach(() => vi.unstubAllGlobals());

const device = {
  browser: "Firefox 131",
  os: "Linux",
  type: "desktop",
  label: "Firefox 131 on Linux",
};

describe("RecentActivity", () => {
  it("lists the account's events in words, marking this device", async () => {
    mockFetch({
      "GET /api/auth/activity": () =>
        json({
          events: [
            {
              id: "2",
              type: "token_reuse_detected",
              createdAt: "2030-01-01T11:59:00.000Z",
              ip: "203.0.113.9",
              device,
              thisDevice: false,
            },
            {
              id: "1",
              type: "signed_in",
              createdAt: "2030-01-01T11:00:00.000Z",
              ip: "198.51.100.1",
              device,
              thisDevice: true,
            },
          ],
        }),
    });
    const wrapper = mount(RecentActivity, { props: { now: Date.UTC(2030, 0, 1, 12) } });
    await flushPromises();
    const items = wrapper.findAll("li");
    expect(items).toHaveLength(2);
    expect(items[0]!.text()).toContain("stolen session token");
    expect(items[0]!.text()).toContain("203.0.113.9");
    expect(items[0]!.find(".activity-dot").classes()).toContain("danger");
    expect(items[1]!.text()).toContain("Signed in");
    expect(items[1]!.text()).toContain("this device");
  });

  it("says so when there is no activity", async () => {
    mockFetch({ "GET /api/auth/activity": () => json({ events: [] }) });
    const wrapper = mount(RecentActivity, { props: { now: Date.now() } });
    await flushPromises();
    expect(wrapper.text()).toContain("No activity yet.");
  });

  it("shows the newest five until asked for all, and names a logged-out device", async () => {
    const events = Array.from({ length: 7 }, (_, i) => ({
      id: String(7 - i),
      type: i === 0 ? "session_revoked" : "signed_in",
      createdAt: `2030-01-01T11:0${9 - i}:00.000Z`,
      ip: null,
      device,
      thisDevice: false,
      ...(i === 0 ? { detail: { device: "Safari 18 on iOS 18" } } : {}),
    }));
    mockFetch({ "GET /api/auth/activity": () => json({ events }) });
    const wrapper = mount(RecentActivity, { props: { now: Date.UTC(2030, 0, 1, 12) } });
    await flushPromises();
    expect(wrapper.findAll("li")).toHaveLength(5);
    expect(wrapper.find("li").text()).toContain("Logged out Safari 18 on iOS 18");

    const toggle = wrapper.find(".more button");
    expect(toggle.text()).toBe("Show all 7");
    expect(toggle.attributes("aria-expanded")).toBe("false");
    expect(toggle.attributes("aria-controls")).toBe(wrapper.find("ol").attributes("id"));
    await toggle.trigger("click");
    expect(wrapper.findAll("li")).toHaveLength(7);
    expect(toggle.text()).toBe("Show fewer");
    expect(toggle.attributes("aria-expanded")).toBe("true");
    await toggle.trigger("click");
    expect(wrapper.findAll("li")).toHaveLength(5);
  });

  it("offers no toggle for five entries or fewer", async () => {
    mockFetch({
      "GET /api/auth/activity": () =>
        json({
          events: [
            {
              id: "1",
              type: "signed_in",
              createdAt: "2030-01-01T11:00:00.000Z",
              ip: null,
              device,
              thisDevice: true,
            },
          ],
        }),
    });
    const wrapper = mount(RecentActivity, { props: { now: Date.UTC(2030, 0, 1, 12) } });
    await flushPromises();
    expect(wrapper.find(".more").exists()).toBe(false);
  });
});
