/** The methods for which a middleware does nothing but call `next()`; `true` for all. */
const PASSES_THROUGH = Symbol.for("@hybrid-auth/auth.passesThrough");

type Marked = { [PASSES_THROUGH]?: true | ReadonlySet<string> };

/**
 * Declares that `middleware` does nothing but `return next()` for `methods` (all methods
 * when omitted), so a router that keeps each path's match may leave it out of the requests
 * of those methods: every layer in Hono's chain costs an async frame even when it only
 * passes the request on. The middleware must still behave so when it is called: this is a
 * promise about it, not a filter.
 *
 * The route descriptions of `describeRoute` are marked for every method; the app's body
 * limit only for the methods without a body.
 *
 * @example
 * const limit = passesThrough(
 *   (c, next) => (c.req.method === "GET" ? next() : limitBody(c, next)),
 *   ["GET", "HEAD", "OPTIONS"],
 * );
 */
export function passesThrough<Middleware extends object>(
  middleware: Middleware,
  methods?: readonly string[],
): Middleware {
  (middleware as Marked)[PASSES_THROUGH] = methods ? new Set(methods) : true;
  return middleware;
}

/**
 * Whether `handler` was declared (by {@link passesThrough}) to only call `next()` for
 * requests of `method`. A handler Hono wrapped (a sub-app with its own error handler) is not:
 * the wrapper catches errors for that sub-app.
 *
 * @example
 * const layers = handlers.filter((handler) => !passesThroughFor(handler, "GET"));
 */
export function passesThroughFor(handler: unknown, method: string): boolean {
  if (typeof handler !== "function") return false;
  const methods = (handler as Marked)[PASSES_THROUGH];
  return methods === true || (methods !== undefined && methods.has(method));
}
