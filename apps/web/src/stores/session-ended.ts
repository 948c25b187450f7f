import { reactive, readonly } from "vue";
import {
  apiFetch,
  type EndedRequest,
  type SessionEnded,
  type SessionEndedDecision,
} from "../api/client";
import { createKeptRequests, isReplayableChange, type KeptRequests } from "../lib/kept-requests";
import { session } from "./session";

/** How the "sign in again" dialog ended. */
export type ReauthOutcome =
  | { kind: "same-user" }
  | { kind: "other-user" }
  /** Closed without signing in: the app goes to the sign-in page; kept changes stay kept. */
  | { kind: "cancelled" };

export type SessionEndedDeps = {
  kept?: KeptRequests;
  /** The user whose session ended (null: nobody was signed in, nothing to keep). */
  currentUserId: () => string | null;
  /** Their email, to pre-fill the dialog and the sign-in page. */
  currentEmail: () => string | null;
  /** Sends a kept request again (defaults to the API client's fetch). */
  send?: (request: { method: string; url: string; body?: string }) => Promise<Response>;
};

const LAST_ENDED_KEY = "tidy:session-ended";

function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined;
  }
}

function sendAgain(request: { method: string; url: string; body?: string }): Promise<Response> {
  return apiFetch(request.url, {
    method: request.method,
    ...(request.body === undefined
      ? {}
      : { headers: { "Content-Type": "application/json" }, body: request.body }),
  });
}

/**
 * A session that ended under the user's feet, handled in place: requests that meet it wait
 * while a dialog asks the user to sign in again (email pre-filled, the reason shown); changes
 * (not reads) are kept meanwhile ({@link createKeptRequests}) so a reload or a detour through
 * the sign-in page loses nothing. The same user signs in → every waiting request is sent again,
 * once; another user → the changes are discarded (never applied to their account).
 *
 * @example
 * const ended = createSessionEndedStore({ currentUserId, currentEmail });
 * setSessionEndedHandler((info, request) => ended.handle(info, request));
 * // the dialog: ended.state.open, ended.finish({ kind: "same-user" })
 */
export function createSessionEndedStore(deps: SessionEndedDeps) {
  const kept = deps.kept ?? createKeptRequests();
  const send = deps.send ?? sendAgain;
  const state = reactive({
    /** The dialog shows. */
    open: false,
    reason: null as string | null,
    email: null as string | null,
    /** Whose session it was: a sign-in as anyone else discards the kept changes. */
    userId: null as string | null,
    /** To-do changes waiting for the sign-in (sent by themselves once it is done). */
    waiting: 0,
  });
  let asking: Promise<ReauthOutcome> | null = null;
  let settle: ((outcome: ReauthOutcome) => void) | null = null;

  function remember(reason: string | null, email: string | null): void {
    try {
      storage()?.setItem(LAST_ENDED_KEY, JSON.stringify({ reason, email }));
    } catch {
      // memory only
    }
  }

  function ask(ended: SessionEnded, userId: string): Promise<ReauthOutcome> {
    if (asking) return asking;
    state.open = true;
    state.reason = ended.reason;
    state.email = deps.currentEmail();
    state.userId = userId;
    remember(ended.reason, state.email);
    asking = new Promise<ReauthOutcome>((resolve) => {
      settle = resolve;
    }).finally(() => {
      asking = null;
    });
    return asking;
  }

  return {
    state: readonly(state),

    /** The API client's session-ended handler. */
    async handle(ended: SessionEnded, request: EndedRequest): Promise<SessionEndedDecision> {
      const userId = deps.currentUserId();
      if (!userId) return "give-up";
      const isChange = request.method !== "GET" && request.method !== "HEAD";
      // A to-do change is kept and sent again by itself; a sensitive action (a password, a code,
      // an admin change) waits for the sign-in too, but then goes back to its form.
      const replayable = !isChange || isReplayableChange(request);
      const keptId =
        isChange && replayable && request.keepable
          ? kept.keep({
              method: request.method,
              url: request.url,
              ownerId: userId,
              ...(request.body === undefined ? {} : { body: request.body }),
            })
          : null;
      const waits = isChange && replayable; // what the dialog promises to save
      if (waits) state.waiting += 1;
      try {
        const outcome = await ask(ended, userId);
        if (outcome.kind === "cancelled") return "give-up"; // kept: replayed after a sign-in
        if (keptId) kept.drop(keptId);
        if (outcome.kind === "other-user") return "discard";
        return replayable ? "replay" : "resubmit";
      } finally {
        if (waits) state.waiting -= 1;
      }
    },

    /** The dialog's answer: who signed in (their id), or null when the user gave up. */
    finish(signedInUserId: string | null): void {
      const resolve = settle;
      settle = null;
      const outcome: ReauthOutcome =
        signedInUserId === null
          ? { kind: "cancelled" }
          : signedInUserId === state.userId
            ? { kind: "same-user" }
            : { kind: "other-user" };
      state.open = false;
      if (outcome.kind !== "cancelled") this.forget();
      resolve?.(outcome);
    },

    /**
     * What the sign-in page shows after the dialog was closed or the page reloaded: why the
     * session ended and the email to pre-fill (read once).
     */
    lastEnded(): { reason: string | null; email: string | null } | null {
      try {
        const raw = storage()?.getItem(LAST_ENDED_KEY);
        if (!raw) return null;
        const parsed = JSON.parse(raw) as { reason?: unknown; email?: unknown };
        return {
          reason: typeof parsed.reason === "string" ? parsed.reason : null,
          email: typeof parsed.email === "string" ? parsed.email : null,
        };
      } catch {
        return null;
      }
    },

    /** Forgets the last ended session (signed in again). */
    forget(): void {
      try {
        storage()?.removeItem(LAST_ENDED_KEY);
      } catch {
        // nothing kept
      }
    },

    /** Remembers why the session ended when no dialog was shown (the app went to sign-in). */
    remember,

    /**
     * After a sign-in through the sign-in page: the changes kept for this user are sent, in
     * order, once; any other user's are discarded. Resolves with the counts.
     */
    async replayKept(
      userId: string,
    ): Promise<{ saved: number; failed: number; discarded: number }> {
      this.forget();
      const { replay, discarded } = kept.takeFor(userId);
      let saved = 0;
      let failed = 0;
      for (const request of replay) {
        try {
          const response = await send(request);
          if (response.ok || (request.method === "DELETE" && response.status === 404)) saved += 1;
          else failed += 1;
        } catch {
          failed += 1;
        }
      }
      return { saved, failed, discarded };
    },

    /** How many changes are kept for after a sign-in. */
    get keptCount(): number {
      return kept.count;
    },
  };
}

export type SessionEndedStore = ReturnType<typeof createSessionEndedStore>;

/** The app-wide instance, for the signed-in user of the app-wide session store. */
export const sessionEnded = createSessionEndedStore({
  currentUserId: () => session.state.user?.id ?? session.state.claims?.userId ?? null,
  currentEmail: () => session.state.user?.email ?? null,
});
