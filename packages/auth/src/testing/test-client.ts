/** A parsed `Set-Cookie` header. */
export type SetCookie = { name: string; value: string; attributes: Record<string, string | true> };

export function parseSetCookie(header: string): SetCookie {
  const [pair = "", ...parts] = header.split(";");
  const separator = pair.indexOf("=");
  const attributes: Record<string, string | true> = {};
  for (const part of parts) {
    const [key = "", ...rest] = part.trim().split("=");
    attributes[key.toLowerCase()] = rest.length ? rest.join("=") : true;
  }
  return {
    name: pair.slice(0, separator).trim(),
    value: pair.slice(separator + 1).trim(),
    attributes,
  };
}

type Fetch = (request: Request) => Response | Promise<Response>;

/**
 * A browser-like client over an in-process Hono app: keeps cookies between requests (and
 * drops them when the server expires them), sends JSON bodies.
 */
export class TestClient {
  readonly cookies = new Map<string, string>();
  constructor(
    private readonly fetch: Fetch,
    private readonly defaults: Record<string, string> = {},
  ) {}

  async request(
    method: string,
    path: string,
    options: { json?: unknown; body?: RequestInit["body"]; headers?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers({ ...this.defaults, ...options.headers });
    if (this.cookies.size > 0 && !headers.has("Cookie")) {
      headers.set(
        "Cookie",
        [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; "),
      );
    }
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    }
    const response = await this.fetch(
      new Request(new URL(path, "http://localhost"), { method, headers, body: body ?? null }),
    );
    this.store(response);
    return response;
  }

  get = (path: string, headers?: Record<string, string>) =>
    this.request("GET", path, headers ? { headers } : {});
  post = (path: string, json?: unknown) =>
    this.request("POST", path, json === undefined ? {} : { json });
  patch = (path: string, json: unknown) => this.request("PATCH", path, { json });
  delete = (path: string, json?: unknown) =>
    this.request("DELETE", path, json === undefined ? {} : { json });

  /**
   * The names of the cookies that make this browser signed in: all but the device cookie,
   * which outlives a sign-out by design (it marks a browser that signed in before).
   */
  get sessionCookies(): string[] {
    return [...this.cookies.keys()].filter((name) => !name.endsWith("auth_device"));
  }

  /** A second client with the same cookies: another tab of the same browser. */
  fork(): TestClient {
    const other = new TestClient(this.fetch, this.defaults);
    for (const [name, value] of this.cookies) other.cookies.set(name, value);
    return other;
  }

  private store(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const cookie = parseSetCookie(header);
      if (cookie.value === "" || cookie.attributes["max-age"] === "0") {
        this.cookies.delete(cookie.name);
      } else {
        this.cookies.set(cookie.name, cookie.value);
      }
    }
  }
}
