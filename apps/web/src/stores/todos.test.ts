import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { flushPromises, mount } from "@vue/test-utils";
import { createMemoryHistory, createRouter } from "vue-router";
import { setUnauthorizedHandler } from "../api/client";
import TodosPage from "../pages/TodosPage.vue";
import { deferred, json, mockFetch, noContent, problem, type Call } from "../testing/fetch-mock";
import { createToasts, toasts } from "./toasts";
import { createTodoList, PAGE_SIZE } from "./todos";

let seq = 0;
function todo(title: string, completed = false) {
  seq += 1;
  const at = new Date(Date.UTC(2030, 0, 1, 0, 0, seq)).toISOString();
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    title,
    completed,
    createdAt: at,
    updatedAt: at,
  };
}

/** A toast stack of its own, its error and success toasts spied on. */
const notify = () => {
  const stack = createToasts();
  vi.spyOn(stack, "error");
  vi.spyOn(stack, "success");
  return stack;
};
const messages = (stack: ReturnType<typeof notify>) => stack.items.map((item) => item.message);

beforeEach(() => {
  seq = 0;
});
afterEach(() => {
  toasts.clear(); // before fetch is restored: a dismissed undo toast sends its delete
  vi.unstubAllGlobals();
  setUnauthorizedHandler(() => {});
});

async function loaded(
  items: ReturnType<typeof todo>[],
  handlers: Record<string, (call: Call) => Response | Promise<Response>> = {},
) {
  const mock = mockFetch({
    "GET /api/todos": () => json({ todos: items, nextCursor: null }),
    ...handlers,
  });
  const toast = notify();
  const list = createTodoList(toast);
  await list.load();
  return { list, toast, ...mock };
}

describe("to-do list store", () => {
  it("loads the list and counts what remains", async () => {
    const { list } = await loaded([todo("a"), todo("b", true), todo("c")]);
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b", "c"]);
    expect(list.remaining.value).toBe(2);
    expect(list.completedCount.value).toBe(1);
  });

  it("filters all / active / done", async () => {
    const { list } = await loaded([todo("a"), todo("b", true), todo("c")]);
    expect(list.visible.value.map((t) => t.title)).toEqual(["a", "b", "c"]);
    list.setFilter("active");
    expect(list.visible.value.map((t) => t.title)).toEqual(["a", "c"]);
    list.setFilter("done");
    expect(list.visible.value.map((t) => t.title)).toEqual(["b"]);
  });

  it("adds optimistically, then swaps in the server's copy", async () => {
    const answer = deferred<Response>();
    const saved = todo("Buy milk");
    const { list, calls } = await loaded([], { "POST /api/todos": () => answer.promise });
    const adding = list.add("  Buy milk ");
    expect(list.state.items).toHaveLength(1);
    expect(list.state.items[0]).toMatchObject({ title: "Buy milk", pending: true });
    expect(list.remaining.value).toBe(1);
    answer.resolve(json({ todo: saved }, 201));
    await expect(adding).resolves.toBe(true);
    expect(list.state.items).toEqual([saved]);
    expect(calls.at(-1)!.body).toEqual({ title: "Buy milk" });
  });

  it("keeps changes made while the list is still loading", async () => {
    const [kept, deleted, toggled] = [todo("kept"), todo("deleted"), todo("toggled")];
    const added = todo("added meanwhile");
    const listAnswer = deferred<Response>();
    mockFetch({
      "GET /api/todos": () => listAnswer.promise,
      "POST /api/todos": () => json({ todo: added }, 201),
      [`DELETE /api/todos/${deleted.id}`]: () => noContent(),
      [`PATCH /api/todos/${toggled.id}`]: () => json({ todo: { ...toggled, completed: true } }),
    });
    const list = createTodoList(notify());
    // A first load shows the three; a reload starts, and the user acts before it answers.
    listAnswer.resolve(json({ todos: [kept, deleted, toggled], nextCursor: null }));
    await list.load();
    const reload = deferred<Response>();
    mockFetch({
      "GET /api/todos": () => reload.promise,
      "POST /api/todos": () => json({ todo: added }, 201),
      [`DELETE /api/todos/${deleted.id}`]: () => noContent(),
      [`PATCH /api/todos/${toggled.id}`]: () => json({ todo: { ...toggled, completed: true } }),
    });
    const reloading = list.load();
    await list.add("added meanwhile");
    list.remove(deleted.id);
    list.flushDeletes();
    await list.toggle(toggled.id);
    // The stale answer (from before those changes) arrives last.
    reload.resolve(json({ todos: [kept, deleted, toggled], nextCursor: null }));
    await reloading;
    expect(list.state.items.map((t) => [t.title, t.completed])).toEqual([
      ["kept", false],
      ["toggled", true],
      ["added meanwhile", false],
    ]);
  });

  it("ignores blank titles", async () => {
    const { list, calls } = await loaded([]);
    await expect(list.add("   ")).resolves.toBe(false);
    expect(list.state.items).toHaveLength(0);
    expect(calls).toHaveLength(1);
  });

  it("rolls an add back with an error toast when the server refuses", async () => {
    const { list, toast } = await loaded([todo("a")], {
      "POST /api/todos": () => problem(422, "The title must be at most 500 characters."),
    });
    await expect(list.add("x")).resolves.toBe(false);
    expect(list.state.items.map((t) => t.title)).toEqual(["a"]);
    expect(toast.error).toHaveBeenCalledWith(expect.stringContaining("Couldn't add “x”"));
  });

  it("toggles optimistically and rolls back on failure", async () => {
    const first = todo("a");
    const answer = deferred<Response>();
    const { list, toast, calls } = await loaded([first], {
      "PATCH /api/todos/:id": () => answer.promise,
    });
    const toggling = list.toggle(first.id);
    expect(list.state.items[0]!.completed).toBe(true);
    expect(list.remaining.value).toBe(0);
    answer.resolve(problem(500, "Something went wrong on our side."));
    await toggling;
    expect(list.state.items[0]!.completed).toBe(false);
    expect(list.remaining.value).toBe(1);
    expect(toast.error).toHaveBeenCalledWith(
      "Couldn't update “a”: Something went wrong on our side.",
    );
    expect(calls.at(-1)).toMatchObject({
      method: "PATCH",
      path: `/api/todos/${first.id}`,
      body: { completed: true },
    });
  });

  it("keeps a successful toggle", async () => {
    const first = todo("a");
    const { list } = await loaded([first], {
      "PATCH /api/todos/:id": () => json({ todo: { ...first, completed: true } }),
    });
    await list.toggle(first.id);
    expect(list.state.items[0]!.completed).toBe(true);
  });

  it("deletes optimistically and puts the item back in place on failure", async () => {
    const items = [todo("a"), todo("b"), todo("c")];
    const answer = deferred<Response>();
    const { list, toast } = await loaded(items, { "DELETE /api/todos/:id": () => answer.promise });
    list.remove(items[1]!.id);
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "c"]);
    list.flushDeletes();
    answer.resolve(problem(503, "Service Unavailable"));
    await flushPromises();
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b", "c"]);
    expect(toast.error).toHaveBeenCalledOnce();
  });

  it("keeps a successful delete, sent when its undo toast goes (with keepalive)", async () => {
    const items = [todo("a"), todo("b")];
    const { list, toast, calls } = await loaded(items, {
      "DELETE /api/todos/:id": () => noContent(),
    });
    list.remove(items[0]!.id);
    expect(list.state.items.map((t) => t.title)).toEqual(["b"]);
    expect(messages(toast)).toEqual(["Deleted “a”."]);
    expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
    toast.dismiss(toast.items[0]!.id);
    await flushPromises();
    const deletes = calls.filter((c) => c.method === "DELETE");
    expect(deletes.map((c) => c.path)).toEqual([`/api/todos/${items[0]!.id}`]);
    expect(deletes[0]!.init?.keepalive).toBe(true);
    expect(list.state.items.map((t) => t.title)).toEqual(["b"]);
    expect(toast.error).not.toHaveBeenCalled();
  });

  it("undo puts a deleted to-do back in its place and never sends the delete", async () => {
    vi.useFakeTimers();
    try {
      const items = [todo("a"), todo("b"), todo("c")];
      const { list, toast, calls } = await loaded(items, {
        "DELETE /api/todos/:id": () => noContent(),
      });
      list.remove(items[1]!.id);
      const [undo] = toast.items;
      expect(undo!.action?.label).toBe("Undo");
      toast.act(undo!.id);
      expect(list.state.items.map((t) => t.title)).toEqual(["a", "b", "c"]);
      expect(toast.items).toHaveLength(0);
      await vi.runAllTimersAsync();
      expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends the delete when the undo window ends, not before; hovering the toast holds it", async () => {
    vi.useFakeTimers();
    try {
      const items = [todo("a")];
      const { list, toast, calls } = await loaded(items, {
        "DELETE /api/todos/:id": () => noContent(),
      });
      list.remove(items[0]!.id);
      const id = toast.items[0]!.id;
      await vi.advanceTimersByTimeAsync(3000);
      toast.pause(id);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(0);
      toast.resume(id);
      await vi.advanceTimersByTimeAsync(10_000);
      expect(calls.filter((c) => c.method === "DELETE")).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a reload during the undo window does not bring a deleted to-do back", async () => {
    const items = [todo("a"), todo("b")];
    const { list } = await loaded(items);
    list.remove(items[0]!.id);
    await list.load(); // the server still has it: the delete has not been sent
    expect(list.state.items.map((t) => t.title)).toEqual(["b"]);
  });

  it("marks all done with one request, and rolls back if refused", async () => {
    const items = [todo("a"), todo("b", true), todo("c")];
    let refuse = false;
    const { list, calls, toast } = await loaded(items, {
      "PATCH /api/todos": () =>
        refuse ? problem(503, "Service Unavailable") : json({ updated: 2 }),
    });
    await list.completeAll(true);
    expect(list.state.items.every((t) => t.completed)).toBe(true);
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { completed: true },
    ]);
    refuse = true;
    await list.completeAll(false);
    expect(list.state.items.every((t) => t.completed)).toBe(true);
    expect(toast.error).toHaveBeenCalledOnce();
  });

  it("renames optimistically and rolls back on failure", async () => {
    const first = todo("old");
    const { list, toast } = await loaded([first], {
      "PATCH /api/todos/:id": () => problem(404, "No such to-do."),
    });
    const renaming = list.rename(first.id, "new");
    expect(list.state.items[0]!.title).toBe("new");
    await renaming;
    expect(list.state.items[0]!.title).toBe("old");
    expect(toast.error).toHaveBeenCalledWith("Couldn't rename “old”: No such to-do.");
  });

  it("clears completed, restoring only the ones the server refused", async () => {
    const items = [todo("a", true), todo("b"), todo("c", true)];
    const { list, toast } = await loaded(items, {
      "DELETE /api/todos/:id": (call) =>
        call.path.endsWith(items[2]!.id)
          ? problem(500, "Something went wrong on our side.")
          : noContent(),
    });
    list.clearCompleted();
    expect(list.state.items.map((t) => t.title)).toEqual(["b"]);
    list.flushDeletes();
    await flushPromises();
    expect(list.state.items.map((t) => t.title)).toEqual(["b", "c"]);
    expect(toast.error).toHaveBeenCalledWith(expect.stringContaining("Couldn't delete “c”"));
  });

  it("shows no toast for a 401: the app is already redirecting to sign-in", async () => {
    const first = todo("a");
    const { list, toast } = await loaded([first], {
      "PATCH /api/todos/:id": () => problem(401, "Sign in to continue."),
    });
    await list.toggle(first.id);
    expect(list.state.items[0]!.completed).toBe(false);
    expect(toast.error).not.toHaveBeenCalled();
  });
});

/** `GET /api/todos` as the API answers it: pages of `size`, each naming the next by a cursor. */
function paged(items: ReturnType<typeof todo>[], size = 2) {
  return (call: Call) => {
    const start = Number(call.query.get("cursor") ?? "0");
    const end = start + size;
    return json({
      todos: items.slice(start, end),
      nextCursor: end < items.length ? String(end) : null,
    });
  };
}

describe("to-do list store with a paged API", () => {
  it("follows nextCursor to the last page, so counts cover the whole list", async () => {
    const items = [todo("a"), todo("b", true), todo("c"), todo("d", true), todo("e")];
    const { list, calls } = await loaded([], { "GET /api/todos": paged(items) });
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b", "c", "d", "e"]);
    expect(list.state.complete).toBe(true);
    expect(list.remaining.value).toBe(3);
    expect(list.completedCount.value).toBe(2);
    const gets = calls.filter((c) => c.method === "GET");
    expect(gets.map((c) => [c.query.get("limit"), c.query.get("cursor")])).toEqual([
      [String(PAGE_SIZE), null],
      [String(PAGE_SIZE), "2"],
      [String(PAGE_SIZE), "4"],
    ]);
  });

  it("shows the first page at once and the rest when it arrives", async () => {
    const items = [todo("a"), todo("b"), todo("c")];
    const second = deferred<Response>();
    mockFetch({
      "GET /api/todos": (call) => (call.query.get("cursor") ? second.promise : paged(items)(call)),
    });
    const list = createTodoList(notify());
    const loading = list.load();
    await flushPromises();
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b"]);
    expect(list.state).toMatchObject({ loaded: true, complete: false, loading: true });
    second.resolve(json({ todos: [items[2]], nextCursor: null }));
    await loading;
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b", "c"]);
    expect(list.state).toMatchObject({ loaded: true, complete: true, loading: false });
  });

  it("clears completed to-dos of every page, not only the first", async () => {
    const items = [todo("a", true), todo("b"), todo("c"), todo("d", true), todo("e", true)];
    const { list, calls, toast } = await loaded([], {
      "GET /api/todos": paged(items),
      "DELETE /api/todos/:id": () => noContent(),
    });
    list.clearCompleted();
    expect(list.state.items.map((t) => t.title)).toEqual(["b", "c"]);
    expect(messages(toast)).toEqual(["Cleared 3 completed to-dos."]);
    list.flushDeletes();
    await flushPromises();
    expect(calls.filter((c) => c.method === "DELETE").map((c) => c.path.split("/").at(-1))).toEqual(
      [items[0]!.id, items[3]!.id, items[4]!.id],
    );
  });

  it("keeps what it has and says so when a later page fails", async () => {
    const items = [todo("a"), todo("b"), todo("c")];
    const { list } = await loaded([], {
      "GET /api/todos": (call) =>
        call.query.get("cursor") ? problem(503, "Service Unavailable") : paged(items)(call),
    });
    expect(list.state.items.map((t) => t.title)).toEqual(["a", "b"]);
    expect(list.state).toMatchObject({ loaded: true, complete: false });
    expect(list.state.loadError).toBe("Service Unavailable");
  });

  it("tells the user when the per-user cap refuses a new to-do", async () => {
    const { list, toast } = await loaded([todo("a")], {
      "POST /api/todos": () =>
        problem(409, "An account can keep at most 1000 to-dos. Delete some to add more.", {
          type: "/problems/todo-limit",
        }),
    });
    await expect(list.add("one more")).resolves.toBe(false);
    expect(list.state.items.map((t) => t.title)).toEqual(["a"]);
    expect(toast.error).toHaveBeenCalledWith(
      "Couldn't add “one more”: An account can keep at most 1000 to-dos. Delete some to add more.",
    );
  });
});

describe("TodosPage", () => {
  async function mountPage(
    items: ReturnType<typeof todo>[],
    handlers: Record<string, (call: Call) => Response | Promise<Response>> = {},
  ) {
    const mock = mockFetch({
      "GET /api/todos": () => json({ todos: items, nextCursor: null }),
      ...handlers,
    });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: "/", component: TodosPage }],
    });
    await router.push("/");
    const wrapper = mount(TodosPage, { global: { plugins: [router] }, attachTo: document.body });
    await flushPromises();
    return { wrapper, ...mock };
  }

  it("shows the empty state, then adds a to-do when the form is submitted (Enter)", async () => {
    const saved = todo("Water the plants");
    const { wrapper } = await mountPage([], {
      "POST /api/todos": () => json({ todo: saved }, 201),
    });
    expect(wrapper.text()).toContain("Nothing to do — yet");
    const input = wrapper.get("#new-todo");
    await input.setValue("Water the plants");
    await wrapper.get("form.new-todo").trigger("submit");
    expect(wrapper.text()).toContain("Water the plants");
    expect((input.element as HTMLInputElement).value).toBe("");
    await flushPromises();
    expect(wrapper.findAll("li.todo")).toHaveLength(1);
    expect(wrapper.text()).toContain("1 item left");
    wrapper.unmount();
  });

  it("filters and shows the remaining count", async () => {
    const { wrapper } = await mountPage([todo("a"), todo("b", true), todo("c")]);
    expect(wrapper.text()).toContain("2 items left");
    const filter = (name: string) =>
      wrapper.findAll("button.filter").find((b) => b.text().startsWith(name))!;
    await filter("Done").trigger("click");
    expect(wrapper.findAll("li.todo .title").map((li) => li.text())).toEqual(["b"]);
    expect(filter("Done").attributes("aria-pressed")).toBe("true");
    await filter("Active").trigger("click");
    expect(wrapper.findAll("li.todo .title").map((li) => li.text())).toEqual(["a", "c"]);
    wrapper.unmount();
  });

  it("edits inline: Enter saves, Escape cancels", async () => {
    const first = todo("old title");
    const { wrapper, calls } = await mountPage([first], {
      "PATCH /api/todos/:id": (call) => json({ todo: { ...first, ...(call.body as object) } }),
    });
    await wrapper.get("li.todo .title").trigger("dblclick");
    let edit = wrapper.get("li.todo input.edit-input");
    await edit.setValue("discarded");
    await edit.trigger("keydown", { key: "Escape" });
    expect(wrapper.get("li.todo .title").text()).toBe("old title");
    expect(calls.filter((c) => c.method === "PATCH")).toHaveLength(0);

    await wrapper.get("li.todo button[aria-label^='Edit']").trigger("click");
    edit = wrapper.get("li.todo input.edit-input");
    await edit.setValue("new title");
    await wrapper.get("li.todo form.edit-form").trigger("submit");
    expect(wrapper.get("li.todo .title").text()).toBe("new title");
    await flushPromises();
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { title: "new title" },
    ]);
    wrapper.unmount();
  });

  it("keeps the filter in the address: a reload opens on the same one", async () => {
    const { wrapper } = await mountPage([todo("a"), todo("b", true)]);
    const router = wrapper.vm.$router;
    const filter = (name: string) =>
      wrapper.findAll("button.filter").find((b) => b.text().startsWith(name))!;
    await filter("Done").trigger("click");
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({ filter: "done" });
    await router.replace({ query: { filter: "active" } });
    await flushPromises();
    expect(filter("Active").attributes("aria-pressed")).toBe("true");
    expect(wrapper.findAll("li.todo .title").map((li) => li.text())).toEqual(["a"]);
    await filter("All").trigger("click");
    await flushPromises();
    expect(router.currentRoute.value.query).toEqual({});
    wrapper.unmount();
  });

  it("marks all done in one request, then offers the reverse; says when all is done", async () => {
    const { wrapper, calls } = await mountPage([todo("a"), todo("b", true)], {
      "PATCH /api/todos": () => json({ updated: 1 }),
    });
    await wrapper.get("button.mark-all").trigger("click");
    await flushPromises();
    expect(calls.filter((c) => c.method === "PATCH").map((c) => c.body)).toEqual([
      { completed: true },
    ]);
    expect(wrapper.text()).toContain("Everything is done.");
    expect(wrapper.get("button.mark-all").text()).toBe("Mark all not done");
    wrapper.unmount();
  });

  it("never says '0 items left' of an empty list", async () => {
    const { wrapper } = await mountPage([]);
    expect(wrapper.text()).not.toMatch(/items? left/);
    wrapper.unmount();
  });

  it("says a pasted title is too long instead of cutting it, and keeps it", async () => {
    const { wrapper, calls } = await mountPage([]);
    const input = wrapper.get<HTMLInputElement>("#new-todo");
    await input.setValue("x".repeat(612));
    expect(wrapper.get("#new-todo-error").text()).toContain(
      "Too long: 612 characters, at most 500",
    );
    expect(input.attributes("aria-invalid")).toBe("true");
    expect(wrapper.get("form.new-todo button[type=submit]").attributes("disabled")).toBeDefined();
    await wrapper.get("form.new-todo").trigger("submit");
    expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
    expect(input.element.value).toHaveLength(612);
    wrapper.unmount();
  });

  it("after a delete, focus goes to the next to-do (or the previous one at the end)", async () => {
    const items = [todo("a"), todo("b"), todo("c")];
    const { wrapper } = await mountPage(items);
    const del = (title: string) => wrapper.get(`button[aria-label="Delete “${title}”"]`);
    await del("b").trigger("click");
    await flushPromises();
    expect(document.activeElement).toBe(del("c").element);
    await del("c").trigger("click");
    await flushPromises();
    expect(document.activeElement).toBe(del("a").element);
    await del("a").trigger("click");
    await flushPromises();
    expect(document.activeElement?.id).toBe("new-todo");
    wrapper.unmount();
  });

  it("rolls back a failed toggle and shows an error toast", async () => {
    const first = todo("a");
    const { wrapper } = await mountPage([first], {
      "PATCH /api/todos/:id": () => problem(500, "Something went wrong on our side."),
    });
    await wrapper.get("li.todo input[type=checkbox]").trigger("change");
    expect(wrapper.get("li.todo").classes()).toContain("done");
    await flushPromises();
    expect(wrapper.get("li.todo").classes()).not.toContain("done");
    expect(toasts.items.map((t) => t.message)).toContain(
      "Couldn't update “a”: Something went wrong on our side.",
    );
    wrapper.unmount();
  });
});

describe("TodosPage with a paged API", () => {
  it("counts every page and clears completed to-dos that were on later pages", async () => {
    const items = [todo("a"), todo("b", true), todo("c"), todo("d", true), todo("e")];
    mockFetch({
      "GET /api/todos": paged(items),
      "DELETE /api/todos/:id": () => noContent(),
    });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: "/", component: TodosPage }],
    });
    await router.push("/");
    const wrapper = mount(TodosPage, { global: { plugins: [router] }, attachTo: document.body });
    await flushPromises();
    expect(wrapper.findAll("li.todo")).toHaveLength(5);
    expect(wrapper.text()).toContain("3 items left");
    const filter = (name: string) =>
      wrapper.findAll("button.filter").find((b) => b.text().startsWith(name))!;
    expect(filter("Done").text()).toBe("Done 2");
    await wrapper.get("button.clear").trigger("click");
    await flushPromises();
    expect(wrapper.findAll("li.todo .title").map((li) => li.text())).toEqual(["a", "c", "e"]);
    expect(wrapper.text()).toContain("3 items left");
    wrapper.unmount();
  });

  it("holds the counts and Clear completed back until the last page is in", async () => {
    const items = [todo("a", true), todo("b"), todo("c", true)];
    const second = deferred<Response>();
    mockFetch({
      "GET /api/todos": (call) => (call.query.get("cursor") ? second.promise : paged(items)(call)),
    });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: "/", component: TodosPage }],
    });
    await router.push("/");
    const wrapper = mount(TodosPage, { global: { plugins: [router] }, attachTo: document.body });
    await flushPromises();
    expect(wrapper.findAll("li.todo")).toHaveLength(2);
    expect(wrapper.text()).toContain("Loading the rest of your list…");
    expect(wrapper.text()).not.toMatch(/items? left/);
    expect(wrapper.get("button.clear").attributes("disabled")).toBeDefined();
    second.resolve(json({ todos: [items[2]], nextCursor: null }));
    await flushPromises();
    expect(wrapper.findAll("li.todo")).toHaveLength(3);
    expect(wrapper.text()).toContain("1 item left");
    expect(wrapper.get("button.clear").attributes("disabled")).toBeUndefined();
    wrapper.unmount();
  });
});
