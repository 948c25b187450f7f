import { reactive, readonly } from "vue";

export type Toast = { id: number; kind: "success" | "error" | "info"; message: string };

const state = reactive({ items: [] as Toast[] });
let nextId = 1;
const timers = new Map<number, ReturnType<typeof setTimeout>>();

export const toasts = {
  items: readonly(state).items,

  show(kind: Toast["kind"], message: string, timeoutMs = kind === "error" ? 7000 : 4000): number {
    const id = nextId++;
    state.items.push({ id, kind, message });
    // Keep the stack short: the oldest goes when a fourth arrives.
    if (state.items.length > 3) toasts.dismiss(state.items[0]!.id);
    if (timeoutMs > 0)
      timers.set(
        id,
        setTimeout(() => toasts.dismiss(id), timeoutMs),
      );
    return id;
  },
  success: (message: string) => toasts.show("success", message),
  error: (message: string) => toasts.show("error", message),
  info: (message: string) => toasts.show("info", message),

  dismiss(id: number): void {
    clearTimeout(timers.get(id));
    timers.delete(id);
    const index = state.items.findIndex((toast) => toast.id === id);
    if (index !== -1) state.items.splice(index, 1);
  },

  clear(): void {
    for (const toast of [...state.items]) toasts.dismiss(toast.id);
  },
};

export type Toasts = typeof toasts;
