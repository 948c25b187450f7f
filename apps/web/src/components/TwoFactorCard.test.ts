import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setStepUpHandler } from "../api/client";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import TwoFactorCard from "./TwoFactorCard.vue";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setStepUpHandler(null);
  toasts.clear();
  document.body.innerHTML = "";
});

const off = { totp: { enabled: false, enabledAt: null }, recoveryCodes: { remaining: 0 } };
const on = (remaining = 10) => ({
  totp: { enabled: true, enabledAt: "2030-01-01T00:00:00.000Z" },
  recoveryCodes: { remaining },
});
const SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
const CODES = Array.from({ length: 10 }, (_, i) => `aaaa${i}-bbbb${i}`);

async function mountCard(routes: Record<string, (call: Call) => Response>) {
  const mocks = mockFetch(routes);
  const wrapper = mount(TwoFactorCard, {
    props: { email: "ada@example.com" },
    attachTo: document.body,
  });
  await flushPromises();
  return { wrapper, ...mocks };
}

const button = (wrapper: ReturnType<typeof mount>, text: string) =>
  wrapper.findAll("button").find((b) => b.text() === text);

describe("TwoFactorCard", () => {
  it("sets up: QR code and grouped key, a code to confirm, then the recovery codes once", async () => {
    let status: unknown = off;
    const { wrapper, calls } = await mountCard({
      "GET /api/auth/2fa": () => json(status),
      "POST /api/auth/2fa/totp/setup": () =>
        json({
          secret: SECRET,
          uri: `otpauth://totp/Tidy:ada%40example.com?secret=${SECRET}&issuer=Tidy&algorithm=SHA1&digits=6&period=30`,
        }),
      "POST /api/auth/2fa/totp/enable": (call) => {
        if ((call.body as { code: string }).code !== "123456") {
          return problem(422, "Invalid.", { errors: [{ pointer: "/code", detail: "is wrong" }] });
        }
        status = on();
        return json({ recoveryCodes: CODES });
      },
    });
    expect(wrapper.find(".badge").text()).toBe("Off");
    await button(wrapper, "Set up authenticator app")!.trigger("click");
    // The QR encoder is a lazy chunk.
    await vi.waitFor(() => expect(wrapper.find(".qr").exists()).toBe(true), 5000);

    const qr = wrapper.find(".qr");
    expect(qr.attributes("role")).toBe("img");
    expect(qr.attributes("aria-label")).toBe("QR code for your authenticator app");
    expect(qr.find("svg").exists()).toBe(true);
    expect(wrapper.find("code.secret").text()).toBe("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    expect(document.activeElement?.id).toBe("setup-title");
    const field = wrapper.find<HTMLInputElement>("#totp-enable-code");
    expect(field.attributes("autocomplete")).toBe("one-time-code");
    expect(field.attributes("inputmode")).toBe("numeric");

    // Checked before sending, then the server's refusal, on the field.
    await wrapper.find("form.setup").trigger("submit");
    expect(wrapper.find("#totp-enable-code-error").text()).toBe(
      "Enter the 6-digit code from your authenticator app.",
    );
    await field.setValue("000000");
    await wrapper.find("form.setup").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#totp-enable-code-error").text()).toContain("That code is not right");
    expect(document.activeElement?.id).toBe("totp-enable-code");

    await field.setValue("123 456");
    await wrapper.find("form.setup").trigger("submit");
    await flushPromises();
    expect(calls.filter((c) => c.path.endsWith("/enable")).at(-1)!.body).toEqual({
      code: "123456",
    });
    const codes = wrapper.findAll(".code-list li").map((li) => li.text());
    expect(codes).toEqual(CODES);
    expect(document.activeElement?.id).toBe("codes-title");
    expect(wrapper.find(".qr").exists()).toBe(false);

    // Download .txt: one file with every code.
    const created: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      created.push(blob as Blob);
      return "blob:codes";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => {});
    await button(wrapper, "Download .txt")!.trigger("click");
    expect(created).toHaveLength(1);
    const text = await created[0]!.text();
    for (const code of CODES) expect(text).toContain(code);
    expect(text).toContain("ada@example.com");

    await button(wrapper, "I saved them")!.trigger("click");
    await flushPromises();
    expect(wrapper.find(".code-list").exists()).toBe(false);
    expect(wrapper.find(".badge").text()).toBe("On");
    expect(wrapper.text()).toContain("10 unused recovery codes.");
  });

  it("copies the recovery codes", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const { wrapper } = await mountCard({
      "GET /api/auth/2fa": () => json(on()),
      "POST /api/auth/2fa/recovery-codes/regenerate": () => json({ recoveryCodes: CODES }),
    });
    await button(wrapper, "New recovery codes")!.trigger("click");
    const dialog = wrapper.findAll("dialog")[1]!;
    expect(dialog.find("h2").text()).toBe("Create new recovery codes?");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    await button(wrapper, "Copy")!.trigger("click");
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith(CODES.join("\n"));
    expect(button(wrapper, "Copied")).toBeDefined();
  });

  it("warns when 3 or fewer recovery codes are left", async () => {
    const few = await mountCard({ "GET /api/auth/2fa": () => json(on(2)) });
    expect(few.wrapper.find(".alert-warning").text()).toContain("Only 2 recovery codes left");
    few.wrapper.unmount();

    const none = await mountCard({ "GET /api/auth/2fa": () => json(on(0)) });
    expect(none.wrapper.find(".alert-warning").text()).toContain("no recovery codes left");
    none.wrapper.unmount();

    const plenty = await mountCard({ "GET /api/auth/2fa": () => json(on(4)) });
    expect(plenty.wrapper.find(".alert-warning").exists()).toBe(false);
    expect(plenty.wrapper.text()).toContain("4 unused recovery codes.");
  });

  it("turns off after a confirmation", async () => {
    const { wrapper, calls } = await mountCard({
      "GET /api/auth/2fa": () => json(on()),
      "POST /api/auth/2fa/totp/disable": () => noContent(),
    });
    await button(wrapper, "Turn off")!.trigger("click");
    const dialog = wrapper.find("dialog");
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(dialog.find("h2").text()).toBe("Turn off two-factor authentication?");
    expect(calls.some((c) => c.path.endsWith("/disable"))).toBe(false);
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(calls.some((c) => c.path.endsWith("/disable"))).toBe(true);
    expect((dialog.element as HTMLDialogElement).open).toBe(false);
    expect(wrapper.find(".badge").text()).toBe("Off");
    expect(wrapper.find('[role="status"]').text()).toContain("Two-factor authentication is off");
  });

  it("a cancelled step-up says the set-up was not done", async () => {
    setStepUpHandler(async () => false);
    const { wrapper } = await mountCard({
      "GET /api/auth/2fa": () => json(off),
      "POST /api/auth/2fa/totp/setup": () =>
        problem(401, "Confirm it's you.", {
          type: "/problems/reauthentication-required",
          methods: ["password"],
          maxAgeSeconds: 600,
        }),
    });
    await button(wrapper, "Set up authenticator app")!.trigger("click");
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe("Not done: confirmation needed.");
    expect(wrapper.find(".qr").exists()).toBe(false);
    expect(button(wrapper, "Set up authenticator app")).toBeDefined();
  });
});
