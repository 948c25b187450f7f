import { flushPromises, type VueWrapper } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setStepUpHandler } from "../api/client";
import type { ApiKey } from "../api/api-keys";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import { claims, mountPage } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  setStepUpHandler(null);
  toasts.clear();
  document.body.innerHTML = "";
});

const SCOPES = [
  { name: "todos:read", description: "Read your to-dos." },
  { name: "todos:write", description: "Add, change and delete your to-dos." },
  { name: "introspect", description: "Check whether a token is valid." },
];
const SECRET = "hak_4Qx9ZpLw2mV7tRb8nKc3Jd6Fh1Gs5Ye0Ua2Wi3Oo";
const DAY = 86_400_000;

function key(id: string, overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id,
    name: `Key ${id}`,
    prefix: `hak_${id}abc`,
    scopes: ["todos:read"],
    createdAt: `2030-01-0${id}T00:00:00.000Z`,
    lastUsedAt: null,
    expiresAt: null,
    ...overrides,
  };
}

type Routes = Record<string, (call: Call) => Response | Promise<Response>>;

async function openPage(keys: ApiKey[], routes: Routes = {}, limit = 25) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/api-keys": () => json({ apiKeys: keys, scopes: SCOPES, limit }),
    ...routes,
  });
  const { wrapper, router } = await mountPage("/api-keys");
  await vi.waitFor(() => expect(wrapper.find("#keys-title").exists()).toBe(true));
  await flushPromises();
  return { wrapper, router, ...mocks };
}

/** The control a visible label names (labels are tied to ids made by `useId`). */
function control(wrapper: VueWrapper, label: string) {
  const element = wrapper.findAll("label").find((l) => l.text().trim() === label);
  if (!element) throw new Error(`no label "${label}"`);
  return wrapper.find(`[id="${element.attributes("for")}"]`);
}

const button = (wrapper: VueWrapper, text: string | RegExp) =>
  wrapper
    .findAll("button")
    .find((b) => (typeof text === "string" ? b.text() === text : text.test(b.text())));

const rows = (wrapper: VueWrapper) => wrapper.findAll(".key");
const openDialog = (wrapper: VueWrapper) =>
  wrapper.findAll("dialog").find((d) => d.attributes("open") !== undefined);

async function fillForm(wrapper: VueWrapper, name: string, scopes: string[]) {
  await control(wrapper, "Name").setValue(name);
  for (const scope of scopes) await control(wrapper, scope).setValue(true);
}

describe("ApiKeysPage", () => {
  it("lists the keys newest first: prefix, scopes, last use, expiry (expired marked), and the cap", async () => {
    const { wrapper } = await openPage([
      key("1", { expiresAt: new Date(Date.now() - DAY).toISOString() }),
      key("3", {
        scopes: ["todos:read", "todos:write"],
        lastUsedAt: new Date(Date.now() - 5 * 60_000).toISOString(),
        expiresAt: new Date(Date.now() + 30 * DAY).toISOString(),
      }),
      key("2"),
    ]);
    expect(document.title).toBe("API keys · Tidy");
    expect(wrapper.find("h1").text()).toBe("API keys");
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("3 of 25 keys");
    expect(rows(wrapper).map((r) => r.find(".key-name").text())).toEqual([
      "Key 3",
      "Key 2",
      "Key 1Expired",
    ]);
    const [newest, plain, expired] = rows(wrapper);
    expect(newest!.findAll(".scope").map((s) => s.text())).toEqual(["todos:read", "todos:write"]);
    expect(newest!.find(".scope").attributes("title")).toBe("Read your to-dos.");
    expect(newest!.find(".prefix").text()).toBe("hak_3abc…");
    expect(newest!.text()).toContain("Last used 5 minutes ago");
    expect(newest!.text()).toMatch(/Expires \w/);
    expect(plain!.text()).toContain("Never used");
    expect(plain!.text()).toContain("Never expires");
    expect(expired!.classes()).toContain("expired");
    expect(expired!.find(".expired-on").text()).toMatch(/^Expired /);
    // Only the prefix: a listed key never shows more of its secret.
    expect(wrapper.text()).not.toContain("hak_3abc…x");
  });

  it("offers the server's scopes, each with its description", async () => {
    const { wrapper } = await openPage([]);
    const boxes = wrapper.findAll<HTMLInputElement>('fieldset input[type="checkbox"]');
    expect(boxes.map((b) => b.element.value)).toEqual(SCOPES.map((s) => s.name));
    for (const box of boxes) {
      const description = wrapper.find(`[id="${box.attributes("aria-describedby")}"]`);
      expect(description.text()).toBe(
        SCOPES.find((s) => s.name === box.element.value)!.description,
      );
    }
    expect(wrapper.find(".empty").text()).toContain("No API keys yet.");
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("0 of 25 keys");
  });

  it("asks for a name and at least one scope before sending anything", async () => {
    const { wrapper, calls } = await openPage([]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(wrapper.text()).toContain("Give the key a name");
    expect(wrapper.text()).toContain("Choose at least one thing the key may do.");
    expect(document.activeElement).toBe(control(wrapper, "Name").element);

    await control(wrapper, "Name").setValue("Backup script");
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(document.activeElement).toBe(control(wrapper, "todos:read").element);
    const group = wrapper.find("fieldset");
    expect(wrapper.find(`[id="${group.attributes("aria-describedby")}"]`).text()).toBe(
      "Choose at least one thing the key may do.",
    );

    await control(wrapper, "Expires").setValue("custom");
    await control(wrapper, "todos:read").setValue(true);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(wrapper.text()).toContain("Choose the day the key stops working.");
    expect(document.activeElement).toBe(control(wrapper, "Last day it works").element);
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
  });

  it("creates a key and shows its secret once, with a warning, a Copy button and a curl example", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    const createdKey = key("9", {
      name: "Backup script",
      scopes: ["todos:read", "todos:write"],
      createdAt: "2030-01-09T00:00:00.000Z",
    });
    const { wrapper, calls } = await openPage([key("1")], {
      "POST /api/auth/api-keys": () => json({ apiKey: createdKey, secret: SECRET }, 201),
    });
    // Ticked in the other order: sent in the server's order.
    await fillForm(wrapper, "  Backup script ", ["todos:write", "todos:read"]);
    const before = Date.now();
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();

    const post = calls.find((c) => c.method === "POST")!;
    const body = post.body as { name: string; scopes: string[]; expiresAt: string };
    expect(body.name).toBe("Backup script");
    expect(body.scopes).toEqual(["todos:read", "todos:write"]);
    // The default: in 30 days.
    const expires = Date.parse(body.expiresAt) - before;
    expect(expires).toBeGreaterThanOrEqual(30 * DAY - 1000);
    expect(expires).toBeLessThanOrEqual(30 * DAY + 1000);

    const secretField = control(wrapper, "Your new API key");
    expect((secretField.element as HTMLInputElement).value).toBe(SECRET);
    expect(secretField.attributes("readonly")).toBeDefined();
    expect(wrapper.find(".alert-warning").text()).toContain("you will not see it again");
    expect(wrapper.find(".curl").text()).toBe(
      `curl -H "Authorization: Bearer ${SECRET}" ${window.location.origin}/api/todos`,
    );
    expect(document.activeElement?.textContent).toContain("Key “Backup script” created");
    expect(rows(wrapper)).toHaveLength(2);
    expect(rows(wrapper)[0]!.find(".key-name").text()).toBe("Backup script");
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("2 of 25 keys");

    await button(wrapper, "Copy the key")!.trigger("click");
    await flushPromises();
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(button(wrapper, "Copied the key")).toBeDefined();

    // Done: the secret is gone from the page for good, and the form is back (empty).
    await button(wrapper, /I saved it/)!.trigger("click");
    await flushPromises();
    expect(document.body.innerHTML).not.toContain(SECRET);
    expect((control(wrapper, "Name").element as HTMLInputElement).value).toBe("");
    expect(document.activeElement).toBe(control(wrapper, "Name").element);
  });

  it("never keeps the secret: not in storage, and gone once the page is left", async () => {
    const { wrapper, router } = await openPage([], {
      "POST /api/auth/api-keys": () => json({ apiKey: key("9"), secret: SECRET }, 201),
    });
    await fillForm(wrapper, "Key 9", ["todos:read"]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(document.body.innerHTML).toContain(SECRET);
    const stored = [localStorage, sessionStorage].flatMap((s) =>
      Array.from({ length: s.length }, (_, i) => s.getItem(s.key(i)!) ?? ""),
    );
    expect(stored.join("\n")).not.toContain(SECRET);
    expect(window.location.href).not.toContain(SECRET);

    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/api-keys": () => json({ apiKeys: [key("9")], scopes: SCOPES, limit: 25 }),
      "GET /api/auth/me": () => json({ user: null }),
    });
    await router.push("/account");
    await router.push("/api-keys");
    await flushPromises();
    expect(document.body.innerHTML).not.toContain(SECRET);
  });

  it("asks the user to confirm it's them when the sign-in is not recent, then creates the key", async () => {
    let recent = false;
    const { wrapper, calls } = await openPage([], {
      "POST /api/auth/api-keys": () =>
        recent
          ? json({ apiKey: key("9"), secret: SECRET }, 201)
          : problem(401, "Confirm it's you first.", {
              type: "/problems/reauthentication-required",
              methods: ["password"],
              maxAgeSeconds: 600,
            }),
    });
    const ask = vi.fn(async () => {
      recent = true;
      return true;
    });
    setStepUpHandler(ask);
    await fillForm(wrapper, "Key 9", ["todos:read"]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(ask).toHaveBeenCalledExactlyOnceWith({ methods: ["password"], maxAgeSeconds: 600 });
    const posts = calls.filter((c) => c.method === "POST");
    expect(posts).toHaveLength(2);
    expect(posts[1]!.body).toEqual(posts[0]!.body);
    expect((control(wrapper, "Your new API key").element as HTMLInputElement).value).toBe(SECRET);
  });

  it("a cancelled confirmation creates nothing and keeps the form as typed", async () => {
    const { wrapper } = await openPage([], {
      "POST /api/auth/api-keys": () =>
        problem(401, "Confirm it's you first.", { type: "/problems/reauthentication-required" }),
    });
    setStepUpHandler(async () => false);
    await fillForm(wrapper, "Key 9", ["todos:read"]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(wrapper.find('.create-form [role="alert"]').text()).toBe(
      "Not done: confirmation needed.",
    );
    expect((control(wrapper, "Name").element as HTMLInputElement).value).toBe("Key 9");
    expect((control(wrapper, "todos:read").element as HTMLInputElement).checked).toBe(true);
    expect(rows(wrapper)).toHaveLength(0);
  });

  it("shows the server's field errors on their fields", async () => {
    const { wrapper } = await openPage([], {
      "POST /api/auth/api-keys": () =>
        problem(422, "Validation failed.", {
          errors: [
            { pointer: "/name", detail: "must be at most 100 characters" },
            { pointer: "/scopes/0", detail: "must be a known scope" },
          ],
        }),
    });
    await fillForm(wrapper, "Key 9", ["todos:read"]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    const name = control(wrapper, "Name");
    expect(name.attributes("aria-invalid")).toBe("true");
    const described = name.attributes("aria-describedby")!.split(" ");
    const texts = described.map((id) => wrapper.find(`[id="${id}"]`)).filter((e) => e.exists());
    expect(texts.map((e) => e.text())).toContain("Name must be at most 100 characters.");
    expect(wrapper.find("fieldset .field-error").text()).toBe("Scopes must be a known scope.");
    expect(document.activeElement).toBe(name.element);
  });

  it("past the cap: says so (the server's words), and offers no form until a key is revoked", async () => {
    let keys = [key("1"), key("2")];
    const { wrapper } = await openPage([], {
      "GET /api/auth/api-keys": () => json({ apiKeys: keys, scopes: SCOPES, limit: 2 }),
      "POST /api/auth/api-keys": () => {
        keys = [key("1"), key("2")];
        return problem(409, "You already have 2 API keys, the most allowed.");
      },
    });
    // Another tab filled the last slot meanwhile: the page still offers the form.
    keys = [key("1")];
    await wrapper.find('[aria-label="Refresh the keys"]').trigger("click");
    await flushPromises();
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("1 of 2 keys");
    await fillForm(wrapper, "Key 3", ["todos:read"]);
    await wrapper.find(".create-form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("2 of 2 keys");
    expect(wrapper.find(".create-form").exists()).toBe(false);
    expect(wrapper.find(".create-body .alert-info").text()).toContain(
      "You have 2 keys, the most an account may have.",
    );
  });

  it("revokes a key only once confirmed, then focuses the next row's button", async () => {
    const { wrapper, calls } = await openPage([key("1"), key("2"), key("3")], {
      "DELETE /api/auth/api-keys/:id": () => noContent(),
    });
    const revoke = (name: string) => wrapper.find(`button[aria-label="Revoke ${name}"]`);
    await revoke("Key 2").trigger("click");
    const dialog = openDialog(wrapper)!;
    expect(dialog.find("h2").text()).toBe("Revoke “Key 2”?");
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);

    await dialog.find("form").trigger("submit");
    await vi.waitFor(() => expect(rows(wrapper)).toHaveLength(2));
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path)).toEqual([
      "/api/auth/api-keys/2",
    ]);
    await vi.waitFor(() => expect(document.activeElement).toBe(revoke("Key 1").element));
    expect(toasts.items.map((t) => t.message)).toContain("Revoked “Key 2”. It no longer works.");
    expect(wrapper.find("#keys-title + .card-subtitle").text()).toBe("2 of 25 keys");
  });

  it("a key already gone (404) leaves the list too; the last one gives focus to the heading", async () => {
    const { wrapper } = await openPage([key("1")], {
      "DELETE /api/auth/api-keys/:id": () => problem(404, "Not found."),
    });
    await wrapper.find('button[aria-label="Revoke Key 1"]').trigger("click");
    await openDialog(wrapper)!.find("form").trigger("submit");
    await vi.waitFor(() => expect(rows(wrapper)).toHaveLength(0));
    expect(wrapper.find(".empty").exists()).toBe(true);
    await vi.waitFor(() => expect(document.activeElement?.id).toBe("keys-title"));
    expect(toasts.items.map((t) => t.message)).toContain("“Key 1” was already revoked.");
  });

  it("says when the keys could not be loaded", async () => {
    mockFetch({
      "GET /api/auth/session": () => json({ session: claims }),
      "GET /api/auth/api-keys": () => problem(503, "The server is busy. Try again shortly."),
    });
    const { wrapper } = await mountPage("/api-keys");
    await vi.waitFor(() =>
      expect(wrapper.find('[role="alert"]').text()).toBe("The server is busy. Try again shortly."),
    );
  });
});
