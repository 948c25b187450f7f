import { reactive, readonly } from "vue";
import type { ConnectionMonitor } from "../api/client";

/** Seconds between checks while the server cannot be reached: 2, 4, 8, 16, then every 30. */
export const RETRY_DELAYS_SECONDS = [2, 4, 8, 16, 30] as const;

export type ConnectionDeps = {
  /** Resolves true when the server answers (any HTTP answer counts), false when it cannot. */
  probe?: () => Promise<boolean>;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
};

async function probeHealth(): Promise<boolean> {
  try {
    await globalThis.fetch("/api/health", { cache: "no-store", credentials: "omit" });
    return true;
  } catch {
    return false;
  }
}

/**
 * Whether the server can be reached, as the app last found out. A request that fails for want
 * of a connection marks it unreachable; from then on it is checked with back-off (and at once
 * when the browser says it is back online, or the user asks), and changes that could not be
 * sent wait for it (`whenReachable`) instead of failing: nothing the user did is lost.
 *
 * @example
 * const connection = createConnection();
 * setConnectionMonitor(connection.monitor);
 * // <OfflineBanner v-if="!connection.state.reachable" />
 */
export function createConnection(deps: ConnectionDeps = {}) {
  const probe = deps.probe ?? probeHealth;
  const setTimer = deps.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer =
    deps.clearTimer ?? ((handle) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const state = reactive({
    reachable: true,
    /** Seconds until the next check (while unreachable). */
    retryInSeconds: 0,
    checking: false,
    /** Changes waiting to be sent. */
    waiting: 0,
    /** What the user tried to open while unreachable (a page name), opened once back. */
    failedNavigation: null as string | null,
  });
  let attempt = 0;
  let timer: unknown = null;
  let countdown: unknown = null;
  let waiters: Array<() => void> = [];
  const backListeners = new Set<(sent: number) => void>();

  function stopTimers(): void {
    if (timer !== null) clearTimer(timer);
    if (countdown !== null) clearTimer(countdown);
    timer = countdown = null;
  }

  function tick(): void {
    countdown = setTimer(() => {
      state.retryInSeconds = Math.max(0, state.retryInSeconds - 1);
      if (state.retryInSeconds > 0) tick();
    }, 1000);
  }

  function schedule(): void {
    stopTimers();
    const seconds = RETRY_DELAYS_SECONDS[Math.min(attempt, RETRY_DELAYS_SECONDS.length - 1)]!;
    attempt += 1;
    state.retryInSeconds = seconds;
    tick();
    timer = setTimer(() => void check(), seconds * 1000);
  }

  function markReachable(): void {
    if (state.reachable) return;
    stopTimers();
    attempt = 0;
    state.reachable = true;
    state.retryInSeconds = 0;
    const release = waiters;
    waiters = [];
    for (const resume of release) resume();
    for (const listener of backListeners) listener(release.length);
  }

  function markUnreachable(): void {
    if (!state.reachable) return;
    state.reachable = false;
    schedule();
  }

  /** Checks now; resolves with the answer. */
  async function check(): Promise<boolean> {
    if (state.checking) return state.reachable;
    state.checking = true;
    try {
      const ok = await probe();
      if (ok) markReachable();
      else if (state.reachable) markUnreachable();
      else schedule();
      return ok;
    } finally {
      state.checking = false;
    }
  }

  const monitor: ConnectionMonitor = {
    unreachable({ method }) {
      markUnreachable();
      if (method === "GET" || method === "HEAD") return null; // a read fails; the page retries
      state.waiting += 1;
      return new Promise<void>((resolve) => {
        waiters.push(() => {
          state.waiting -= 1;
          resolve();
        });
      });
    },
    reachable: markReachable,
  };

  return {
    state: readonly(state),
    monitor,
    check,
    markReachable,
    markUnreachable,
    /** "Retry now": a check at once, the back-off starting over if it fails. */
    retryNow(): Promise<boolean> {
      attempt = 0;
      return check();
    },
    /** Remembers a page that could not be opened (its title), to say so and open it once back. */
    navigationFailed(what: string): void {
      state.failedNavigation = what;
      markUnreachable();
    },
    clearFailedNavigation(): void {
      state.failedNavigation = null;
    },
    /**
     * Runs `listener` each time the server is reachable again, with how many waiting changes
     * are now being sent; returns the unsubscribe.
     */
    onBack(listener: (sent: number) => void): () => void {
      backListeners.add(listener);
      return () => void backListeners.delete(listener);
    },
    /** Follows the browser's online/offline events (an offline event is not trusted alone). */
    listenToBrowser(target: Pick<Window, "addEventListener"> = window): void {
      target.addEventListener("online", () => void check());
      target.addEventListener("offline", () => markUnreachable());
    },
  };
}

export type Connection = ReturnType<typeof createConnection>;

/** The app-wide instance. */
export const connection = createConnection();
