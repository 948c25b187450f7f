import { reactive, readonly } from "vue";

/** A button on a toast ("Undo"); running it dismisses the toast. */
export type ToastAction = { label: string; run: () => void };

export type Toast = {
  id: number;
  kind: "success" | "error" | "info";
  message: string;
  action?: ToastAction;
};

/** How long a toast stays (the clock stops while the pointer or focus is on it). */
export const TOAST_TIMEOUTS = { success: 6000, info: 6000, error: 8000, action: 7000 } as const;

type Timer = {
  handle: ReturnType<typeof setTimeout> | undefined;
  remaining: number;
  since: number;
};

/**
 * The toasts on screen: at most three (the oldest goes when a fourth arrives, as if dismissed),
 * each gone after its timeout unless paused (hover, focus) — `onDismiss` runs whenever a toast
 * goes, whatever the cause, so an action's owner can settle (e.g. send a delayed delete).
 *
 * @example
 * toasts.show("info", "Deleted “Milk”.", { action: { label: "Undo", run: restore } });
 */
export function createToasts(now: () => number = Date.now) {
  const state = reactive({ items: [] as Toast[] });
  let nextId = 1;
  const timers = new Map<number, Timer>();
  const dismissHooks = new Map<number, () => void>();

  function arm(id: number, timer: Timer): void {
    timer.since = now();
    timer.handle = setTimeout(() => toasts.dismiss(id), timer.remaining);
  }

  const toasts = {
    items: readonly(state).items,

    show(
      kind: Toast["kind"],
      message: string,
      options: { timeoutMs?: number; action?: ToastAction; onDismiss?: () => void } = {},
    ): number {
      const id = nextId++;
      const { action, onDismiss } = options;
      state.items.push({ id, kind, message, ...(action ? { action } : {}) });
      if (onDismiss) dismissHooks.set(id, onDismiss);
      const timeoutMs =
        options.timeoutMs ?? (action ? TOAST_TIMEOUTS.action : TOAST_TIMEOUTS[kind]);
      if (timeoutMs > 0) {
        const timer: Timer = { handle: undefined, remaining: timeoutMs, since: now() };
        timers.set(id, timer);
        arm(id, timer);
      }
      if (state.items.length > 3) toasts.dismiss(state.items[0]!.id);
      return id;
    },
    success: (message: string) => toasts.show("success", message),
    error: (message: string) => toasts.show("error", message),
    info: (message: string) => toasts.show("info", message),

    /** Stops a toast's clock (pointer over it, focus in it). */
    pause(id: number): void {
      const timer = timers.get(id);
      if (!timer || timer.handle === undefined) return;
      clearTimeout(timer.handle);
      timer.handle = undefined;
      timer.remaining = Math.max(1000, timer.remaining - (now() - timer.since));
    },

    /** Restarts its clock with the time it had left (at least a second). */
    resume(id: number): void {
      const timer = timers.get(id);
      if (!timer || timer.handle !== undefined) return;
      arm(id, timer);
    },

    /** Runs the toast's action, then dismisses it. */
    act(id: number): void {
      const toast = state.items.find((item) => item.id === id);
      if (!toast?.action) return;
      dismissHooks.delete(id); // the action settles it
      toast.action.run();
      toasts.dismiss(id);
    },

    dismiss(id: number): void {
      const timer = timers.get(id);
      if (timer?.handle !== undefined) clearTimeout(timer.handle);
      timers.delete(id);
      const index = state.items.findIndex((toast) => toast.id === id);
      if (index !== -1) state.items.splice(index, 1);
      const hook = dismissHooks.get(id);
      dismissHooks.delete(id);
      hook?.();
    },

    clear(): void {
      for (const toast of [...state.items]) toasts.dismiss(toast.id);
    },
  };
  return toasts;
}

export type Toasts = ReturnType<typeof createToasts>;

/** The app-wide instance. */
export const toasts = createToasts();
