const DEFAULT_DESTINATION = "/todos";
/** Pages that make no sense to come back to after signing in. */
const NOT_A_DESTINATION =
  /^\/(sign-in|sign-up|forgot-password|reset-password|verify-email|confirm-email)(\/|$|\?|#)/;

/**
 * The `?returnTo=` target after sign-in, or the default. Only same-site relative paths are
 * accepted ("/devices?x=1"); absolute URLs, protocol-relative "//host", backslash tricks and
 * control characters all fall back to the default, so the page cannot be an open redirect.
 */
export function safeReturnTo(raw: unknown, fallback = DEFAULT_DESTINATION): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return fallback;
  if (!value.startsWith("/") || value.startsWith("//")) return fallback;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return fallback;
  const base = "https://same-site.invalid";
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments can normalise into a protocol-relative "//host" ("/.//evil.example").
  if (path.startsWith("//")) return fallback;
  if (path === "/" || NOT_A_DESTINATION.test(path)) return fallback;
  return path;
}
