/**
 * Changes the user made after their session ended, kept until they sign in again so that
 * nothing they did is lost. Kept in `sessionStorage` (this tab only, gone when it closes) as
 * well as in memory: a reload of the page on the way to signing in loses nothing either. Only
 * the request is kept — method, path and JSON body — never a cookie or a token.
 */
export type KeptRequest = {
  id: string;
  method: string;
  /** Same-origin path with its query, e.g. `/api/todos/abc`. */
  url: string;
  /** The JSON body as sent, or undefined. */
  body?: string;
  /** The id of the user who made the change: it is replayed only for them. */
  ownerId: string;
  keptAt: number;
};

const STORAGE_KEY = "tidy:kept-requests";

const CHANGES = new Set(["POST", "PATCH", "PUT", "DELETE"]);

/**
 * Whether a change may be kept and sent again without the user looking at it: a change of the
 * to-do list only. Never anything of `/api/auth` or `/api/admin` (a password, a code, an
 * email change, a deletion): those bodies hold secrets, and a sensitive action is sent again
 * only by the user (decision 023).
 */
export function isReplayableChange(request: { method: string; url: string }): boolean {
  return CHANGES.has(request.method) && /^\/api\/todos(\/[^/?#]*)?(\?|$)/.test(request.url);
}
/** A bound: an ended session does not turn the tab into an unbounded queue. */
export const MAX_KEPT_REQUESTS = 50;
/** Older than this, a change is stale (the user walked away): dropped, not replayed. */
export const KEPT_REQUEST_MAX_AGE_MS = 24 * 60 * 60 * 1000;

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function defaultStorage(): StorageLike | undefined {
  try {
    return typeof sessionStorage === "undefined" ? undefined : sessionStorage;
  } catch {
    return undefined; // storage disabled: memory only
  }
}

function isKeptRequest(value: unknown): value is KeptRequest {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === "string" &&
    typeof v.method === "string" &&
    typeof v.url === "string" &&
    isReplayableChange({ method: v.method, url: v.url }) &&
    (v.body === undefined || typeof v.body === "string") &&
    typeof v.ownerId === "string" &&
    typeof v.keptAt === "number"
  );
}

/**
 * The kept requests of this tab, in the order they were made.
 *
 * @example
 * const kept = createKeptRequests();
 * const id = kept.keep({ method: "POST", url: "/api/todos", body: '{"title":"Milk"}', ownerId });
 * // … signed in again as ownerId:
 * for (const request of kept.takeFor(ownerId)) await replay(request);
 */
export function createKeptRequests(
  storage: StorageLike | undefined = defaultStorage(),
  now: () => number = Date.now,
) {
  let memory: KeptRequest[] | null = null;
  let nextId = 1;

  function read(): KeptRequest[] {
    if (memory) return memory;
    let stored: unknown;
    try {
      stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "[]");
    } catch {
      stored = []; // not JSON (tampered with): nothing kept
    }
    const cutoff = now() - KEPT_REQUEST_MAX_AGE_MS;
    memory = Array.isArray(stored)
      ? stored.filter(isKeptRequest).filter((request) => request.keptAt >= cutoff)
      : [];
    return memory;
  }

  function write(requests: KeptRequest[]): void {
    memory = requests;
    try {
      if (requests.length === 0) storage?.removeItem(STORAGE_KEY);
      else storage?.setItem(STORAGE_KEY, JSON.stringify(requests));
    } catch {
      // Full or disabled storage: memory still has them for this page's life.
    }
  }

  return {
    /**
     * Keeps a request; returns its id (to `drop` it once replayed), or null for one that is not
     * a {@link isReplayableChange}. The oldest goes past the cap.
     */
    keep(request: Omit<KeptRequest, "id" | "keptAt">): string | null {
      if (!isReplayableChange(request)) return null;
      const id = `${now().toString(36)}-${nextId++}`;
      const requests = [...read(), { ...request, id, keptAt: now() }];
      write(requests.slice(-MAX_KEPT_REQUESTS));
      return id;
    },

    /** Forgets one kept request (replayed, or discarded). */
    drop(id: string): void {
      const requests = read();
      if (requests.some((request) => request.id === id)) {
        write(requests.filter((request) => request.id !== id));
      }
    },

    /**
     * Takes every kept request out: the ones `ownerId` made, to replay in order; the others
     * (another user signed in on this tab) are discarded and counted.
     */
    takeFor(ownerId: string): { replay: KeptRequest[]; discarded: number } {
      const cutoff = now() - KEPT_REQUEST_MAX_AGE_MS;
      const requests = read().filter((request) => request.keptAt >= cutoff);
      write([]);
      const replay = requests.filter((request) => request.ownerId === ownerId);
      return { replay, discarded: requests.length - replay.length };
    },

    get count(): number {
      return read().length;
    },
  };
}

export type KeptRequests = ReturnType<typeof createKeptRequests>;
