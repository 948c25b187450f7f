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
 * @example
 * const app = new Hono({ router: new StaticPathRouter() });
 */
export class StaticPathRouter<T> implements Router<T> {
  name = "StaticPathRouter";
  readonly #inner: Router<T>;
  readonly #staticPaths = new Set<string>();
  readonly #matches = new Map<string, Result<T>>();
  #built = false;

  constructor(
    inner: Router<T> = new SmartRouter<T>({ routers: [new RegExpRouter(), new TrieRouter()] }),
  ) {
    this.#inner = inner;
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
    const result = this.#inner.match(method, path);
    if (this.#matches.size < MAX_CACHED) this.#matches.set(key, result);
    return result;
  }
}
