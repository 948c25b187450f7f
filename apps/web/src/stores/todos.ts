import { computed, reactive } from "vue";
import { api, ApiError, send, type Todo } from "../api/client";
import { PAGE_SIZE, takeFirstTodoPage } from "../api/first-todo-page";
import { toasts as defaultToasts, type Toasts } from "./toasts";

export type TodoFilter = "all" | "active" | "done";
export const FILTERS: TodoFilter[] = ["all", "active", "done"];

/** A to-do as the list shows it; `pending` while its creation has not been confirmed. */
export type TodoItem = Todo & { pending?: boolean };

/** The longest title the API accepts (characters, after trimming). */
export const MAX_TITLE_LENGTH = 500;

/** What the page may ask of a removal: told which to-dos came back if the user undoes it. */
export type RemoveOptions = { afterUndo?: (ids: string[]) => void };

export { PAGE_SIZE };
/** A guard against a server that never stops answering a next page. */
const MAX_PAGES = 1000;

// Plain code-unit order (ISO timestamps and ids sort that way): `localeCompare` would build an
// ICU collator on first use, about 10 ms of a phone's first render.
const before = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byCreation = (a: TodoItem, b: TodoItem) =>
  a.createdAt === b.createdAt ? before(a.id, b.id) : before(a.createdAt, b.createdAt);

/**
 * The to-do list with optimistic updates: every change shows at once and is rolled back (with
 * an error toast) if the server refuses it. A 401 shows no toast — the app is already on its
 * way to the sign-in page.
 *
 * The API answers pages; `load()` follows `nextCursor` to the end (the per-user cap bounds
 * that), so counts, filters and "Clear completed" cover the whole list. The first page shows
 * as soon as it arrives; `complete` says when the rest has (decision 018).
 */
export function createTodoList(
  notify: Pick<Toasts, "error" | "success" | "show" | "dismiss"> = defaultToasts,
) {
  const state = reactive({
    items: [] as TodoItem[],
    filter: "all" as TodoFilter,
    loading: false,
    /** The first page (or more) is shown. */
    loaded: false,
    /** Every page is in: counts and "Clear completed" cover the whole list. */
    complete: false,
    loadError: null as string | null,
  });
  /**
   * Deletions waiting out their undo window (the toast with "Undo" is on screen): the to-dos are
   * hidden here and still on the server; the DELETEs go when the toast goes (timeout, close,
   * leaving the page), never if the user undoes. Keyed by the toast's id.
   */
  const awaitingDelete = new Map<number, TodoItem[]>();
  const hiddenIds = () => new Set([...awaitingDelete.values()].flat().map((todo) => todo.id));
  /** Per-item change counter: a late answer never overwrites a newer local change. */
  const revisions = new Map<string, number>();
  let tempIds = 0;

  const remaining = computed(() => state.items.filter((todo) => !todo.completed).length);
  const completedCount = computed(() => state.items.length - remaining.value);
  const visible = computed(() =>
    state.items.filter((todo) =>
      state.filter === "all" ? true : state.filter === "active" ? !todo.completed : todo.completed,
    ),
  );

  function fail(action: string, error: unknown): void {
    if (error instanceof ApiError && error.status === 401) return;
    const reason = error instanceof Error ? error.message : "Something went wrong.";
    notify.error(`${action}: ${reason}`);
  }

  /**
   * Local changes made while a load is in flight: its answer is older than them, so it must
   * not overwrite them (a to-do added meanwhile would vanish, a deleted one come back).
   */
  let loadInFlight: { touched: Set<string>; removed: Set<string> } | undefined;
  const touched = (id: string) => loadInFlight?.touched.add(id);
  const removed = (id: string) => loadInFlight?.removed.add(id);

  function mergeLoaded(server: Todo[]): TodoItem[] {
    const changes = loadInFlight ?? { touched: new Set<string>(), removed: new Set<string>() };
    const local = new Map(state.items.map((item) => [item.id, item]));
    const hidden = hiddenIds();
    const merged: TodoItem[] = server
      .filter((todo) => !changes.removed.has(todo.id) && !hidden.has(todo.id))
      .map((todo) => (changes.touched.has(todo.id) ? (local.get(todo.id) ?? todo) : todo));
    const present = new Set(merged.map((todo) => todo.id));
    for (const id of changes.touched) {
      const item = local.get(id);
      if (item && !present.has(id)) merged.push(item);
    }
    return merged.sort(byCreation);
  }

  const find = (id: string) => state.items.find((todo) => todo.id === id);
  const bump = (id: string) => {
    touched(id);
    const next = (revisions.get(id) ?? 0) + 1;
    revisions.set(id, next);
    return next;
  };
  function restore(todo: TodoItem): void {
    touched(todo.id);
    if (find(todo.id)) return;
    state.items.push(todo);
    state.items.sort(byCreation);
  }

  function hide(items: TodoItem[], message: string, options: RemoveOptions): void {
    const ids = new Set(items.map((todo) => todo.id));
    state.items = state.items.filter((todo) => !ids.has(todo.id));
    for (const todo of items) removed(todo.id);
    let undone = false;
    const toastId = notify.show("info", message, {
      action: {
        label: "Undo",
        run: () => {
          undone = true;
          awaitingDelete.delete(toastId);
          for (const todo of items) restore(todo);
          options.afterUndo?.(items.map((todo) => todo.id));
        },
      },
      onDismiss: () => {
        if (undone || !awaitingDelete.has(toastId)) return;
        awaitingDelete.delete(toastId);
        void deleteOnServer(items);
      },
    });
    awaitingDelete.set(toastId, items);
  }

  async function deleteOnServer(items: TodoItem[]): Promise<void> {
    const results = await Promise.allSettled(
      items.map((todo) =>
        // keepalive: a delete sent as the page closes still reaches the server.
        send(api.todos[":id"].$delete({ param: { id: todo.id } }, { init: { keepalive: true } })),
      ),
    );
    const failed = results.flatMap((result, index) =>
      result.status === "rejected" &&
      !(result.reason instanceof ApiError && result.reason.status === 404)
        ? [{ todo: items[index]!, error: result.reason as unknown }]
        : [],
    );
    for (const { todo } of failed) restore(todo);
    if (failed.length > 0) {
      fail(
        failed.length === 1
          ? `Couldn't delete “${failed[0]!.todo.title}”`
          : `Couldn't delete ${failed.length} to-dos`,
        failed[0]!.error,
      );
    }
  }

  return {
    state,
    remaining,
    completedCount,
    visible,

    setFilter(filter: TodoFilter): void {
      state.filter = filter;
    },

    async load(): Promise<void> {
      state.loading = true;
      state.loadError = null;
      loadInFlight = { touched: new Set(), removed: new Set() };
      try {
        const fetched: Todo[] = [];
        let cursor: string | null = null;
        for (let pages = 0; pages < MAX_PAGES; pages += 1) {
          const query = cursor ? { limit: PAGE_SIZE, cursor } : { limit: PAGE_SIZE };
          // The router may have asked for the first page already (prefetchFirstTodoPage).
          const prefetched = !cursor && !state.loaded ? takeFirstTodoPage() : null;
          const response = await (prefetched ?? send(api.todos.$get({ query })));
          const page: { todos: Todo[]; nextCursor: string | null } = await response.json();
          fetched.push(...page.todos);
          cursor = page.nextCursor;
          if (!cursor) break;
          // A first load shows its first page at once; a reload swaps in the whole list at the
          // end, so what is on screen never shrinks meanwhile.
          if (!state.loaded) {
            state.items = mergeLoaded(fetched);
            state.loaded = true;
          }
        }
        state.items = mergeLoaded(fetched);
        state.loaded = true;
        state.complete = cursor === null;
      } catch (error) {
        state.loadError = error instanceof Error ? error.message : "Could not load your to-dos.";
      } finally {
        state.loading = false;
        loadInFlight = undefined;
      }
    },

    /** Adds at once; replaced by the server's copy when it answers, removed if it refuses. */
    async add(rawTitle: string): Promise<boolean> {
      const title = rawTitle.trim();
      if (!title) return false;
      const now = new Date().toISOString();
      const temp: TodoItem = {
        id: `temp-${++tempIds}`,
        title,
        completed: false,
        createdAt: now,
        updatedAt: now,
        pending: true,
      };
      state.items.push(temp);
      touched(temp.id);
      try {
        const response = await send(api.todos.$post({ json: { title } }));
        const { todo } = await response.json();
        touched(todo.id);
        const index = state.items.findIndex((item) => item.id === temp.id);
        if (index !== -1) state.items.splice(index, 1, todo);
        return true;
      } catch (error) {
        const index = state.items.findIndex((item) => item.id === temp.id);
        if (index !== -1) state.items.splice(index, 1);
        fail(`Couldn't add “${title}”`, error);
        return false;
      }
    },

    async toggle(id: string): Promise<void> {
      const todo = find(id);
      if (!todo || todo.pending) return;
      const before = todo.completed;
      todo.completed = !before;
      const revision = bump(id);
      try {
        const response = await send(
          api.todos[":id"].$patch({ param: { id }, json: { completed: todo.completed } }),
        );
        const { todo: saved } = await response.json();
        const current = find(id);
        if (current && revisions.get(id) === revision) Object.assign(current, saved);
      } catch (error) {
        const current = find(id);
        if (current && revisions.get(id) === revision) current.completed = before;
        fail(`Couldn't update “${todo.title}”`, error);
      }
    },

    async rename(id: string, rawTitle: string): Promise<void> {
      const todo = find(id);
      const title = rawTitle.trim();
      if (!todo || todo.pending || !title || title === todo.title) return;
      const before = todo.title;
      todo.title = title;
      const revision = bump(id);
      try {
        const response = await send(api.todos[":id"].$patch({ param: { id }, json: { title } }));
        const { todo: saved } = await response.json();
        const current = find(id);
        if (current && revisions.get(id) === revision) Object.assign(current, saved);
      } catch (error) {
        const current = find(id);
        if (current && revisions.get(id) === revision) current.title = before;
        fail(`Couldn't rename “${before}”`, error);
      }
    },

    /**
     * Deletes at once on screen, with an "Undo" toast; the server's delete waits until the toast
     * goes (see `awaitingDelete`).
     */
    remove(id: string, options: RemoveOptions = {}): void {
      const todo = find(id);
      if (!todo || todo.pending) return;
      hide([todo], `Deleted “${todo.title}”.`, options);
    },

    /** Removes every completed to-do the same way: one toast, one "Undo" for all of them. */
    clearCompleted(options: RemoveOptions = {}): void {
      const done = state.items.filter((todo) => todo.completed && !todo.pending);
      if (done.length === 0) return;
      const what = `${done.length} completed ${done.length === 1 ? "to-do" : "to-dos"}`;
      hide(done, `Cleared ${what}.`, options);
    },

    /** Sends every deletion still waiting for its undo window (leaving the page). */
    flushDeletes(): void {
      for (const toastId of [...awaitingDelete.keys()]) notify.dismiss(toastId);
    },

    /** Marks every to-do done (or, when all are, not done): one request for the whole list. */
    async completeAll(completed: boolean): Promise<void> {
      const changed = state.items.filter((todo) => !todo.pending && todo.completed !== completed);
      if (changed.length === 0) return;
      const revisionsBefore = new Map(changed.map((todo) => [todo.id, bump(todo.id)]));
      for (const todo of changed) todo.completed = completed;
      try {
        await send(api.todos.$patch({ json: { completed } }));
      } catch (error) {
        for (const todo of changed) {
          const current = find(todo.id);
          if (current && revisions.get(todo.id) === revisionsBefore.get(todo.id)) {
            current.completed = !completed;
          }
        }
        fail(completed ? "Couldn't mark everything done" : "Couldn't update your to-dos", error);
      }
    },
  };
}

export type TodoList = ReturnType<typeof createTodoList>;
