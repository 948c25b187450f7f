import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { session } from "../stores/session";
import { toasts } from "../stores/toasts";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import { user } from "../testing/mount-page";
import NameEditor from "./NameEditor.vue";

afterEach(() => {
  vi.unstubAllGlobals();
  toasts.clear();
  document.body.innerHTML = "";
});

function mountEditor(name: string | null) {
  return mount(NameEditor, { props: { name }, attachTo: document.body });
}

describe("NameEditor", () => {
  it("edits inline, saves with PATCH /me and updates the session's user", async () => {
    const { calls } = mockFetch({
      "PATCH /api/auth/me": () => json({ user: { ...user, name: "Ada Lovelace" } }),
    });
    const wrapper = mountEditor("Ada");
    await wrapper.find("button.edit").trigger("click");
    expect(document.activeElement?.id).toBe("profile-name");
    await wrapper.find("#profile-name").setValue("  Ada Lovelace ");
    await wrapper.find("form").trigger("submit");
    await flushPromises();

    expect(calls[0]).toMatchObject({ method: "PATCH", body: { name: "Ada Lovelace" } });
    expect(session.state.user?.name).toBe("Ada Lovelace");
    expect(toasts.items.at(-1)?.message).toBe("Name saved.");
    expect(wrapper.find("form").exists()).toBe(false);
    expect(document.activeElement).toBe(wrapper.find("button.edit").element);
  });

  it("an empty name clears it (null)", async () => {
    const { calls } = mockFetch({
      "PATCH /api/auth/me": () => json({ user: { ...user, name: null } }),
    });
    const wrapper = mountEditor("Ada");
    await wrapper.find("button.edit").trigger("click");
    await wrapper.find("#profile-name").setValue("   ");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(calls[0]!.body).toEqual({ name: null });
    expect(toasts.items.at(-1)?.message).toBe("Name removed.");
  });

  it("Escape cancels without a request, and focus goes back to Edit", async () => {
    const { calls } = mockFetch({});
    const wrapper = mountEditor("Ada");
    await wrapper.find("button.edit").trigger("click");
    await wrapper.find("#profile-name").setValue("Grace");
    await wrapper.find("#profile-name").trigger("keydown", { key: "Escape" });
    await flushPromises();
    expect(wrapper.find("form").exists()).toBe(false);
    expect(wrapper.text()).toContain("Ada");
    expect(document.activeElement).toBe(wrapper.find("button.edit").element);
    expect(calls).toHaveLength(0);
  });

  it("too long: refused before sending; the server's 422 shows on the field", async () => {
    const { calls } = mockFetch({
      "PATCH /api/auth/me": () =>
        problem(422, "Invalid.", { errors: [{ pointer: "/name", detail: "is not allowed" }] }),
    });
    const wrapper = mountEditor(null);
    await wrapper.find("button.edit").trigger("click");
    await wrapper.find("#profile-name").setValue("x".repeat(101));
    await wrapper.find("form").trigger("submit");
    expect(wrapper.find("#profile-name-error").text()).toBe("Name must be at most 100 characters.");
    expect(calls).toHaveLength(0);

    await wrapper.find("#profile-name").setValue("Ada");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find("#profile-name-error").text()).toBe("Name is not allowed.");
  });
});
