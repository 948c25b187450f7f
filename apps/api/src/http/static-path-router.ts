import type { Result, Router } from "hono/router";
import { RegExpRouter } from "hono/router/reg-exp-router";
import { SmartRouter } from "hono/router/smart-router";
import { TrieRouter } from "hono/router/trie-router";

/**
 * The most match results kept: every (method, static path) pair the app has is far fewer
 * (Node's parser knows about 35 methods; the API has about 150 static paths).
 */
const MAX_CACHED = 4096;

/** A path with no parameter, wildcard or optional part: `/api/auth/session`, not `/:id`. */
const isStaticPath = (path: string) => !/[:*?{]/.test(path);

/**
 * Hono's default router, with the match of every static route path kept after its first
 * request. The API's routes make Hono's fast RegExpRouter give up (a static segment beside a
 * parameter, `/oidc/link` and `/oidc/:provider/callback`), so it falls back to the TrieRouter,
 * which walks the tree and sorts the matched handlers on every request: about 1–2 µs for
 * `GET /api/auth/session` and its seven handlers, the largest router cost of the hot path
 * (docs/performance.md, "Where the floor's gap goes").
 *
 * A static path's match is fixed once the routes are: the same handlers, no parameters. So
 * it is computed once per method and path and kept; any other path goes to the inner router
 * each time. The cache only ever holds paths the app registered, so requests for made-up
 * paths cannot grow it, and it is bounded besides. Routes cannot be added after the first
 * match, as with Hono's own SmartRouter.
 *
 * `skip` leaves handlers out of the kept matches: those that only pass the request on for
 * its method (`passesThroughFor` of @hybrid-auth/auth: the route descriptions, the body
 * limit on a GET), each an async frame of Hono's chain for nothing (decision 042).
 *
 * @example
 * const app = new Hono({ router: new StaticPathRouter() });
 */
export class StaticPathRouter<T> implements Router<T> {
  name = "StaticPathRouter";
  readonly #inner: Router<T>;
  readonly #staticPaths = new Set<string>();
  readonly #matches = new Map<string, Result<T>>();
  readonly #skip: ((handler: T, method: string) => boolean) | undefined;
  #built = false;

  constructor(
    options: {
      inner?: Router<T>;
      /** Handlers to leave out of a static path's match for a method (see above). */
      skip?: (handler: T, method: string) => boolean;
    } = {},
  ) {
    this.#inner =
      options.inner ?? new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] });
    this.#skip = options.skip;
  }

  add(method: string, path: string, handler: T): void {
    if (this.#built) throw new Error("Can not add a route since the matcher is already built.");
    if (isStaticPath(path)) this.#staticPaths.add(path);
    this.#inner.add(method, path, handler);
  }

  match(method: string, path: string): Result<T> {
    this.#built = true;
    if (!this.#staticPaths.has(path)) return this.#inner.match(method, path);
    const key = `${method} ${path}`;
    const known = this.#matches.get(key);
    if (known) return known;
    const result = this.#withoutSkipped(this.#inner.match(method, path), method);
    if (this.#matches.size < MAX_CACHED) this.#matches.set(key, result);
    return result;
  }

  #withoutSkipped(result: Result<T>, method: string): Result<T> {
    const skip = this.#skip;
    if (!skip) return result;
    // Each entry carries its own parameters (or its own indexes into the stash), so entries
    // can be dropped without renumbering anything.
    const [handlers, stash] = result;
    const kept = handlers.filter(([handler]) => !skip(handler, method));
    return (stash ? [kept, stash] : [kept]) as Result<T>;
  }
}
