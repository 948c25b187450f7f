import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import PasskeysCard from "./PasskeysCard.vue";

vi.mock("@simplewebauthn/browser", () => ({
  startRegistration: vi.fn(async () => ({ id: "cred", rawId: "cred", type: "public-key" })),
  startAuthentication: vi.fn(),
}));

afterEach(() => {
  vi.unstubAllGlobals();
  toasts.clear();
  document.body.innerHTML = "";
});

const laptop = {
  id: "11111111-1111-4111-8111-111111111111",
  name: "Laptop",
  createdAt: "2030-01-01T00:00:00.000Z",
  lastUsedAt: null,
  deviceType: "singleDevice",
  backedUp: false,
};
const phone = {
  id: "22222222-2222-4222-8222-222222222222",
  name: "Phone",
  createdAt: "2030-01-02T00:00:00.000Z",
  lastUsedAt: "2030-01-03T00:00:00.000Z",
  deviceType: "multiDevice",
  backedUp: true,
};

async function mountCard(routes: Record<string, (call: Call) => Response>) {
  vi.stubGlobal("PublicKeyCredential", function PublicKeyCredential() {});
  const mocks = mockFetch(routes);
  const wrapper = mount(PasskeysCard, { attachTo: document.body });
  await flushPromises();
  return { wrapper, ...mocks };
}

const button = (wrapper: ReturnType<typeof mount>, name: string) =>
  wrapper.findAll("button").find((b) => (b.attributes("aria-label") ?? b.text()) === name);

describe("PasskeysCard", () => {
  it("lists passkeys: synced or device-bound, added, last used", async () => {
    const { wrapper } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [laptop, phone] }),
    });
    const rows = wrapper.findAll(".pk");
    expect(rows.map((r) => r.find(".pk-name").text())).toEqual([
      "PhoneSynced",
      "LaptopThis device only",
    ]);
    expect(rows[0]!.text()).toContain("Last used");
    expect(rows[1]!.text()).toContain("Never used");
  });

  it("adds one with a name: options, the browser's ceremony, then register", async () => {
    const { wrapper, calls } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [] }),
      "POST /api/auth/passkeys/register/options": () => json({ challenge: "abc" }),
      "POST /api/auth/passkeys/register": () => json({ passkey: laptop }, 201),
    });
    expect(wrapper.text()).toContain("No passkeys yet.");
    await wrapper.find("form.pk-add").trigger("submit");
    expect(wrapper.find("#passkey-name-error").text()).toContain("Give the passkey a name");
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);

    await wrapper.find("#passkey-name").setValue("  Laptop ");
    await wrapper.find("form.pk-add").trigger("submit");
    await vi.waitFor(() => expect(wrapper.findAll(".pk")).toHaveLength(1));
    expect(calls.find((c) => c.path === "/api/auth/passkeys/register")!.body).toEqual({
      name: "Laptop",
      response: { id: "cred", rawId: "cred", type: "public-key" },
    });
    expect(wrapper.find<HTMLInputElement>("#passkey-name").element.value).toBe("");
  });

  it("renames inline", async () => {
    const { wrapper, calls } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [laptop] }),
      "PATCH /api/auth/passkeys/:id": (call) =>
        json({ passkey: { ...laptop, ...(call.body as object) } }),
    });
    await button(wrapper, "Rename Laptop")!.trigger("click");
    await flushPromises();
    const field = wrapper.find<HTMLInputElement>(`#passkey-name-${laptop.id}`);
    expect(document.activeElement).toBe(field.element);
    await field.setValue("Work laptop");
    await wrapper.find("form.pk-rename").trigger("submit");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({
      method: "PATCH",
      path: `/api/auth/passkeys/${laptop.id}`,
      body: { name: "Work laptop" },
    });
    expect(wrapper.find(".pk-name").text()).toContain("Work laptop");
    expect(document.activeElement?.id).toBe(`passkey-rename-${laptop.id}`);
  });

  it("removes after a confirmation", async () => {
    const { wrapper, calls } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [laptop, phone] }),
      "DELETE /api/auth/passkeys/:id": () => noContent(),
    });
    await button(wrapper, "Remove Laptop")!.trigger("click");
    const dialog = wrapper.find("dialog");
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(dialog.text()).toContain("“Laptop” will no longer sign you in");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(calls.at(-1)).toMatchObject({
      method: "DELETE",
      path: `/api/auth/passkeys/${laptop.id}`,
    });
    expect(wrapper.findAll(".pk").map((r) => r.find(".pk-name span").text())).toEqual(["Phone"]);
  });

  it("keeps the account's last way to sign in, saying why", async () => {
    const detail =
      "This is the last way to sign in to your account. Set a password (through “Forgot password”) or add another way to sign in first.";
    const { wrapper } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [laptop] }),
      "DELETE /api/auth/passkeys/:id": () =>
        problem(409, detail, { type: "/problems/last-sign-in-method" }),
    });
    await button(wrapper, "Remove Laptop")!.trigger("click");
    await wrapper.find("dialog form").trigger("submit");
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe(detail);
    expect(wrapper.findAll(".pk")).toHaveLength(1);
  });

  it("says when the browser prompt was closed", async () => {
    const { startRegistration } = await import("@simplewebauthn/browser");
    vi.mocked(startRegistration).mockRejectedValueOnce(
      Object.assign(new Error("cancelled"), { name: "NotAllowedError" }),
    );
    const { wrapper } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [] }),
      "POST /api/auth/passkeys/register/options": () => json({ challenge: "abc" }),
    });
    await wrapper.find("#passkey-name").setValue("Laptop");
    await wrapper.find("form.pk-add").trigger("submit");
    await vi.waitFor(() => expect(wrapper.find('[role="alert"]').exists()).toBe(true));
    expect(wrapper.find('[role="alert"]').text()).toContain("closed or timed out");
  });

  it("a server refusal is said too", async () => {
    const { wrapper } = await mountCard({
      "GET /api/auth/passkeys": () => json({ passkeys: [] }),
      "POST /api/auth/passkeys/register/options": () => problem(500, "Something broke."),
    });
    await wrapper.find("#passkey-name").setValue("Laptop");
    await wrapper.find("form.pk-add").trigger("submit");
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe("Something broke.");
  });
});
