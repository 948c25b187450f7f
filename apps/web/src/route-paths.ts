/**
 * The SPA's pages, by route name: the one list that both the router (`router.ts`) builds its
 * routes from and the server reads (the build writes it to `dist/routes.json`) to answer a
 * page that does not exist with 404 instead of 200. Plain data only: the server and the build
 * read it without Vue.
 *
 * A `:param` stands for one non-empty path segment. Matching ignores case and a trailing slash,
 * as vue-router does by default.
 */
export const ROUTE_PATHS = {
  landing: "/",
  "sign-in": "/sign-in",
  "sign-up": "/sign-up",
  "forgot-password": "/forgot-password",
  "reset-password": "/reset-password",
  "verify-email": "/verify-email",
  "confirm-email": "/confirm-email",
  todos: "/todos",
  devices: "/devices",
  account: "/account",
  "api-keys": "/api-keys",
  admin: "/admin",
  "admin-user": "/admin/users/:id",
} as const;

export type PageName = keyof typeof ROUTE_PATHS;

/** The file the build writes next to `index.html`: `ROUTE_PATHS`' patterns, as a JSON array. */
export const ROUTE_MANIFEST_FILE = "routes.json";
