import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** What the web build writes next to index.html (apps/web/src/route-paths.ts' patterns). */
export const SPA_ROUTE_MANIFEST = "routes.json";

/** Is `path` one of the SPA's pages? */
export type SpaRouteMatcher = (path: string) => boolean;

/** Paths are matched as vue-router does by default: case-insensitive, trailing slash optional. */
function segments(path: string): string[] {
  return path.toLowerCase().split("/").filter(Boolean);
}

/**
 * A matcher for route patterns such as `/`, `/sign-in` or `/admin/users/:id`, where a `:param`
 * stands for one non-empty segment.
 *
 * @example
 * const isPage = spaRouteMatcher(["/", "/admin/users/:id"]);
 * isPage("/admin/users/42/"); // true
 * isPage("/admin/users"); // false
 */
export function spaRouteMatcher(patterns: readonly string[]): SpaRouteMatcher {
  const compiled = patterns.map(segments);
  return (path) => {
    const parts = segments(path);
    // `//` inside a path is an empty segment, which no page has.
    if (/\/\/./.test(path)) return false;
    return compiled.some(
      (pattern) =>
        pattern.length === parts.length &&
        pattern.every((segment, i) => segment.startsWith(":") || segment === parts[i]),
    );
  };
}

/**
 * The pages of the build in `distDir`, from its `routes.json`. `undefined` when the build has
 * none (it predates the manifest): then every path counts as a page, as before, rather than
 * the whole app answering 404. A manifest that is not a list of paths is a broken build: it
 * throws, so the server does not start with it.
 */
export function readSpaRoutes(distDir: string): SpaRouteMatcher | undefined {
  const file = join(distDir, SPA_ROUTE_MANIFEST);
  if (!existsSync(file)) return undefined;
  const patterns: unknown = JSON.parse(readFileSync(file, "utf8"));
  if (
    !Array.isArray(patterns) ||
    !patterns.every((pattern) => typeof pattern === "string" && pattern.startsWith("/"))
  ) {
    throw new Error(`${file} must be a JSON array of paths (see apps/web/src/route-paths.ts).`);
  }
  return spaRouteMatcher(patterns as string[]);
}
