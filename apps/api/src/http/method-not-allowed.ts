import type { Context, NotFoundHandler } from "hono";
import { TrieRouter } from "hono/router/trie-router";
import type { RouterRoute } from "hono/types";

export type MethodNotAllowedOptions = {
  /** The app whose routes say which methods each path has (read at the first 404). */
  app: { readonly routes: readonly RouterRoute[] };
  /** The not-found answer for everything that is not a 405. */
  notFound: NotFoundHandler;
  /** The 405 answer; `methods` are the path's methods, `HEAD` included beside `GET`. */
  onMethodNotAllowed: (c: Context, methods: string[]) => Response | Promise<Response>;
};

/**
 * A not-found handler that answers **405 with `Allow`** when the path exists with other
 * methods, and `notFound`'s answer otherwise (also when that is not a 404, e.g. the SPA's
 * page). Hono's `methodNotAllowed()` does the same as a middleware around every request,
 * an async frame that even the routes that exist pay; here only a request that found no
 * route pays (decision 042).
 *
 * @example
 * app.notFound(methodNotAllowed({ app, notFound: (c) => c.text("Not found", 404),
 *   onMethodNotAllowed: (c, methods) => c.text("No", 405, { Allow: methods.join(", ") }) }));
 */
export function methodNotAllowed(options: MethodNotAllowedOptions): NotFoundHandler {
  let methodsOfPath: TrieRouter<string[]> | undefined;
  const allowedMethods = (path: string): Set<string> => {
    methodsOfPath ??= methodRouter(options.app.routes);
    const allowed = new Set<string>();
    for (const [methods] of methodsOfPath.match("ALL", path)[0]) {
      for (const method of methods) allowed.add(method);
    }
    return allowed;
  };
  return async (c) => {
    const response = await options.notFound(c);
    if (response.status !== 404) return response;
    const allowed = allowedMethods(c.req.path);
    if (allowed.size === 0 || allowed.has(c.req.method)) return response;
    return options.onMethodNotAllowed(c, [...allowed]);
  };
}

/** Each route path's methods (`HEAD` beside `GET`), matched as Hono matches requests. */
function methodRouter(routes: readonly RouterRoute[]): TrieRouter<string[]> {
  const methodsByPath = new Map<string, Set<string>>();
  for (const route of routes) {
    // Middleware (`app.use`) is registered for ALL: it gives its path no method.
    if (route.method === "ALL" || route.method === "HEAD") continue;
    const methods = methodsByPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === "GET") methods.add("HEAD");
    methodsByPath.set(route.path, methods);
  }
  const router = new TrieRouter<string[]>();
  for (const [path, methods] of methodsByPath) router.add("ALL", path, [...methods]);
  return router;
}
