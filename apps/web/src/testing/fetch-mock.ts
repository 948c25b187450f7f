import { vi } from "vitest";

export type Call = {
  method: string;
  path: string;
  /** The query string's parameters. */
  query: URLSearchParams;
  body: unknown;
  init: RequestInit | undefined;
};
type Handler = (call: Call) => Response | Promise<Response>;

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });

export const problem = (
  status: number,
  detail: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) =>
  new Response(JSON.stringify({ type: "about:blank", title: "Error", status, detail, ...extra }), {
    status,
    headers: { "Content-Type": "application/problem+json", ...headers },
  });

export const noContent = () => new Response(null, { status: 204 });

/**
 * Replaces global fetch with a table of handlers keyed "METHOD /path" (":id" matches one
 * segment). Unmatched requests answer 404 and are recorded like the rest.
 */
export function mockFetch(handlers: Record<string, Handler>) {
  const calls: Call[] = [];
  const routes = Object.entries(handlers).map(([key, handler]) => {
    const [method, pattern] = key.split(" ") as [string, string];
    const regex = new RegExp(`^${pattern.replace(/:[a-zA-Z]+/g, "[^/]+")}$`);
    return { method, regex, handler };
  });
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const { pathname: path, searchParams: query } = new URL(url, "http://localhost");
    const method = (init?.method ?? "GET").toUpperCase();
    const body = typeof init?.body === "string" ? (JSON.parse(init.body) as unknown) : undefined;
    const call = { method, path, query, body, init };
    calls.push(call);
    const route = routes.find((r) => r.method === method && r.regex.test(path));
    return route ? route.handler(call) : problem(404, `No mock for ${method} ${path}`);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock };
}

/** A promise you resolve later: to observe the optimistic state before the server answers. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
