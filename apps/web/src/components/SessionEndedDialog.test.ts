import { flushPromises, mount } from "@vue/test-utils";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createKeptRequests } from "../lib/kept-requests";
import { createSessionStore } from "../stores/session";
import { createSessionEndedStore } from "../stores/session-ended";
import { json, mockFetch, problem } from "../testing/fetch-mock";
import SessionEndedDialog from "./SessionEndedDialog.vue";
import { memoryStorage } from "../testing/memory-storage";

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = "";
});

const ada = { id: "u1", email: "ada@example.com", name: "Ada", role: "user", createdAt: "" };

async function openDialog(login: () => Response) {
  const { calls } = mockFetch({ "POST /api/auth/login": login });
  const store = createSessionEndedStore({
    kept: createKeptRequests(memoryStorage()),
    currentUserId: () => "u1",
    currentEmail: () => "ada@example.com",
  });
  const session = createSessionStore();
  const startAfresh = vi.fn();
  const wrapper = mount(SessionEndedDialog, {
    props: { store, session, startAfresh },
    attachTo: document.body,
  });
  const decision = store.handle(
    { reason: "revoked_by_admin" },
    { method: "POST", url: "/api/todos", body: "{}", keepable: true },
  );
  await flushPromises();
  return { wrapper, store, decision, startAfresh, calls };
}

describe("SessionEndedDialog", () => {
  it("says why, pre-fills the email, focuses the password, and lets the same user carry on", async () => {
    const { wrapper, decision, startAfresh, calls } = await openDialog(() => json({ user: ada }));
    expect(wrapper.find("dialog").attributes("open")).toBeDefined();
    expect(wrapper.text()).toContain("An administrator signed you out.");
    expect(wrapper.text()).toContain("your last change will be saved");
    const email = wrapper.find<HTMLInputElement>('input[type="email"]');
    expect(email.element.value).toBe("ada@example.com");
    expect(document.activeElement).toBe(wrapper.find('input[type="password"]').element);

    await wrapper.find('input[type="password"]').setValue("violet-kettle-harbour-93");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(calls[0]!.body).toEqual({
      email: "ada@example.com",
      password: "violet-kettle-harbour-93",
    });
    expect(await decision).toBe("replay");
    expect(startAfresh).not.toHaveBeenCalled();
  });

  it("another user signing in discards the change and starts the page afresh", async () => {
    const { wrapper, decision, startAfresh } = await openDialog(() =>
      json({ user: { ...ada, id: "u2", email: "bob@example.com" } }),
    );
    await wrapper.find('input[type="email"]').setValue("bob@example.com");
    await wrapper.find('input[type="password"]').setValue("violet-kettle-harbour-93");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(await decision).toBe("discard");
    expect(startAfresh).toHaveBeenCalledOnce();
  });

  it("a wrong password says so and keeps the dialog (and the change) waiting", async () => {
    const { wrapper, store } = await openDialog(() => problem(401, "Invalid email or password."));
    await wrapper.find('input[type="password"]').setValue("wrong");
    await wrapper.find("form").trigger("submit");
    await flushPromises();
    expect(wrapper.find('[role="alert"]').text()).toBe("Invalid email or password.");
    expect(store.state.open).toBe(true);
    expect(store.state.waiting).toBe(1);
  });

  it("'Go to the sign-in page' gives up: the change stays kept for after signing in there", async () => {
    const { wrapper, decision, store } = await openDialog(() => json({ user: ada }));
    const button = wrapper.findAll("button").find((b) => b.text() === "Go to the sign-in page")!;
    await button.trigger("click");
    // happy-dom's <dialog> fires close on close(): the store hears "cancelled".
    await flushPromises();
    expect(await decision).toBe("give-up");
    expect(store.keptCount).toBe(1);
  });
});
