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
});
