import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch, noContent } from "../testing/fetch-mock";
import { claims, mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const session = (id: string, signInMethods: string[] | undefined, current = false) => ({
  id,
  current,
  createdAt: "2030-01-01T00:00:00.000Z",
  lastSeenAt: `2030-01-01T00:0${id}:00.000Z`,
  expiresAt: "2030-02-01T00:00:00.000Z",
  ip: null,
  device: { label: `Device ${id}`, type: "desktop" },
  ...(signInMethods ? { signInMethods } : {}),
});

describe("DevicesPage", () => {
  it("says how each session signed in", async () => {
    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/sessions": () =>
        json({
          sessions: [
            session("1", ["password", "totp"], true),
            session("2", ["passkey"]),
            session("3", ["password", "recovery_code"]),
            session("4", undefined),
          ],
        }),
      "GET /api/auth/activity": () => json({ events: [] }),
    });
    const { wrapper } = await mountPage("/devices");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(4));
    const method = (label: string) =>
      wrapper
        .findAll(".device")
        .find((d) => d.find(".device-name").text().startsWith(label))!
        .find(".device-method");
    expect(method("Device 1").text()).toBe("Signed in with: Password + authenticator app");
    expect(method("Device 2").text()).toBe("Signed in with: Passkey");
    expect(method("Device 3").text()).toBe("Signed in with: Password + recovery code");
    expect(method("Device 4").exists()).toBe(false);
  });

  it("logs a device out only once confirmed, then focuses the next row's button", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/sessions": () =>
        json({
          sessions: [
            session("1", undefined, true),
            session("3", undefined),
            session("2", undefined),
          ],
        }),
      "GET /api/auth/activity": () => json({ events: [] }),
      "DELETE /api/auth/sessions/:id": () => noContent(),
    });
    const { wrapper } = await mountPage("/devices");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(3));
    // This device first, then the most recently active: 1, 3, 2.
    const logOut = (label: string) => wrapper.find(`button[aria-label="Log out ${label}"]`);
    expect(wrapper.find(".device.current").text()).toContain("Active now");

    await logOut("Device 3").trigger("click");
    const dialog = wrapper.findAll("dialog").find((d) => d.attributes("open") !== undefined)!;
    expect(dialog.find("h2").text()).toBe("Log out Device 3?");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    await dialog.find("form").trigger("submit");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(2));
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      "/api/auth/sessions/3",
    ]);
    await vi.waitFor(() => expect(document.activeElement).toBe(logOut("Device 2").element));

    // The last row gone: focus goes to the previous row's button.
    await logOut("Device 2").trigger("click");
    await wrapper
      .findAll("dialog")
      .find((d) => d.attributes("open") !== undefined)!
      .find("form")
      .trigger("submit");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(1));
    await vi.waitFor(() =>
      expect(document.activeElement).toBe(
        wrapper.find('button[aria-label="Log out this device (Device 1)"]').element,
      ),
    );
  });

  it("asks before logging out the other devices, then focuses the list's heading", async () => {
    const { calls } = mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/sessions": () =>
        json({ sessions: [session("1", undefined, true), session("2", undefined)] }),
      "GET /api/auth/activity": () => json({ events: [] }),
      "POST /api/auth/logout-others": () => noContent(),
    });
    const { wrapper } = await mountPage("/devices");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(2));
    const button = wrapper
      .findAll("button")
      .find((b) => b.text() === "Log out other devices" && !b.element.closest("dialog"))!;
    await button.trigger("click");
    const dialog = wrapper.findAll("dialog").find((d) => d.attributes("open") !== undefined)!;
    expect(dialog.find("h2").text()).toBe("Log out other devices?");
    expect(dialog.text()).toContain("1 other device will be signed out");
    expect(calls.some((c) => c.path === "/api/auth/logout-others")).toBe(false);

    await dialog.find("form").trigger("submit");
    await vi.waitFor(() => expect(wrapper.findAll(".device")).toHaveLength(1));
    await vi.waitFor(() => expect(document.activeElement?.id).toBe("sessions-title"));
  });

  it("puts the sign-out controls before the activity, in spaced cards", async () => {
    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/sessions": () => json({ sessions: [session("1", undefined, true)] }),
      "GET /api/auth/activity": () => json({ events: [] }),
    });
    const { wrapper } = await mountPage("/devices");
    const titles = wrapper.findAll(".stack > section h2").map((h) => h.text());
    expect(titles).toEqual(["Active sessions", "Sign-out controls", "Recent activity"]);
  });
});
