import { flushPromises } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../stores/session";
import { toasts } from "../stores/toasts";
import { json, mockFetch, noContent, problem } from "../testing/fetch-mock";
import { claims, mountPage, user } from "../testing/mount-page";

afterEach(() => {
  vi.unstubAllGlobals();
  toasts.clear();
  document.body.innerHTML = "";
});

async function openDialog(deleteHandler: () => Response) {
  const mocks = mockFetch({
    "GET /api/auth/session": () => json({ session: claims }),
    "GET /api/auth/me": () => json({ user }),
    "GET /api/auth/me/notifications": () => json({ newSignInAlerts: true }),
    "DELETE /api/auth/me": deleteHandler,
  });
  const page = await mountPage("/account");
  await vi.waitFor(() => expect(page.wrapper.find("#delete-title").exists()).toBe(true));
  await page.wrapper
    .find("#delete-title")
    .element.closest("section")!
    .querySelector("button")!
    .click();
  await flushPromises();
  // The delete card's own dialog (the account page has others before it).
  const dialog = page.wrapper.find(".danger-card dialog");
  expect((dialog.element as HTMLDialogElement).open).toBe(true);
  return { ...page, ...mocks, dialog };
}

const deletes = (calls: { method: string }[]) => calls.filter((c) => c.method === "DELETE");

describe("DeleteAccountCard", () => {
  it("keeps the confirm button gated until DELETE and the password are both there", async () => {
    const { dialog, calls } = await openDialog(() => noContent());
    const confirm = () => dialog.find("button.confirm");
    expect(confirm().attributes("aria-disabled")).toBe("true");

    // Pressed anyway: nothing is sent, and the dialog says what is missing.
    await dialog.find("form").trigger("submit");
    expect(dialog.find("#delete-confirm-error").text()).toBe("Type DELETE to confirm.");
    expect(document.activeElement?.id).toBe("delete-confirm");

    await dialog.find("#delete-confirm").setValue("delet");
    expect(confirm().attributes("aria-disabled")).toBe("true");
    await dialog.find("#delete-confirm").setValue(" delete ");
    expect(confirm().attributes("aria-disabled")).toBe("true"); // no password yet
    await dialog.find("form").trigger("submit");
    expect(dialog.find("#delete-password-error").text()).toBe("Enter your password.");
    expect(deletes(calls)).toHaveLength(0);

    await dialog.find("#delete-password").setValue("violet-kettle-harbour-93");
    expect(confirm().attributes("aria-disabled")).toBeUndefined();
  });

  it("deletes with the password, signs the SPA out and goes to the landing page", async () => {
    const { dialog, calls, router } = await openDialog(() => noContent());
    await dialog.find("#delete-confirm").setValue("DELETE");
    await dialog.find("#delete-password").setValue("violet-kettle-harbour-93");
    await dialog.find("form").trigger("submit");
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe("/"));

    expect(deletes(calls)).toEqual([
      expect.objectContaining({
        path: "/api/auth/me",
        body: { password: "violet-kettle-harbour-93" },
      }),
    ]);
    expect(session.signedIn).toBe(false);
    expect(toasts.items.at(-1)?.message).toMatch(/account and all its data were deleted/);
  });

  it("a wrong password (422) shows on the password field and keeps the dialog open", async () => {
    const { dialog } = await openDialog(() =>
      problem(422, "Invalid.", { errors: [{ pointer: "/password", detail: "is incorrect" }] }),
    );
    await dialog.find("#delete-confirm").setValue("DELETE");
    await dialog.find("#delete-password").setValue("wrong");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(dialog.find("#delete-password-error").text()).toBe("Password is incorrect.");
    expect((dialog.element as HTMLDialogElement).open).toBe(true);
    expect(session.signedIn).toBe(true);
  });

  it("shows a 429 in the dialog", async () => {
    const { dialog } = await openDialog(() =>
      problem(429, "Slow down.", {}, { "Retry-After": "20" }),
    );
    await dialog.find("#delete-confirm").setValue("DELETE");
    await dialog.find("#delete-password").setValue("pw");
    await dialog.find("form").trigger("submit");
    await flushPromises();
    expect(dialog.find('[role="alert"]').text()).toBe("Too many attempts — try again in 20 s.");
  });

  it("forgets what was typed when the dialog closes", async () => {
    const { dialog } = await openDialog(() => noContent());
    await dialog.find("#delete-confirm").setValue("DELETE");
    await dialog.find("#delete-password").setValue("secret");
    (dialog.element as HTMLDialogElement).close();
    await flushPromises();
    expect(dialog.find<HTMLInputElement>("#delete-password").element.value).toBe("");
    expect(dialog.find<HTMLInputElement>("#delete-confirm").element.value).toBe("");
  });
});
