import { afterEach, describe, expect, it, vi } from "vitest";
import { json, mockFetch } from "../testing/fetch-mock";
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
});
