/**
 * The one-time tokens of emailed links (`/reset-password?token=…`, `/verify-email?token=…`,
 * `/confirm-email?token=…`) leave the address bar before anything else happens: before the
 * router starts, before the first request, before the page renders. They are kept in memory
 * only, handed once to the page that uses them, and never written back into a URL, the
 * history, or storage.
 */

/** The pages whose links carry a `?token=`. */
export const TOKEN_PAGES: readonly string[] = [
  "/reset-password",
  "/verify-email",
  "/confirm-email",
];

let held: { path: string; token: string } | null = null;

function normalise(path: string): string {
  return path.replace(/\/+$/, "") || "/";
}

/** Keeps a token for the page at `path` (replacing any earlier one). */
export function holdUrlToken(path: string, token: string): void {
  held = { path: normalise(path), token };
}

/** The token held for the page at `path`, handed out once; `null` when there is none. */
export function takeUrlToken(path: string): string | null {
  if (!held || held.path !== normalise(path)) return null;
  const { token } = held;
  held = null;
  return token;
}

/**
 * Moves `?token=` from the address bar into memory with `history.replaceState` (no new history
 * entry, no navigation, nothing sent). Other query parameters and the hash stay. Call it once,
 * before the router reads the location.
 */
export function captureUrlToken(
  location: Pick<Location, "pathname" | "search" | "hash"> = window.location,
  history: Pick<History, "state" | "replaceState"> = window.history,
): void {
  const path = normalise(location.pathname);
  if (!TOKEN_PAGES.includes(path)) return;
  const params = new URLSearchParams(location.search);
  if (!params.has("token")) return;
  const token = params.get("token") ?? "";
  params.delete("token");
  const search = params.toString();
  history.replaceState(
    history.state,
    "",
    `${location.pathname}${search ? `?${search}` : ""}${location.hash}`,
  );
  if (token) holdUrlToken(path, token);
}
