import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { performance } from "node:perf_hooks";
import { openDatabase } from "@hybrid-auth/db";
// The one place tests read which PostgreSQL server to use.
import { testDatabaseUrl } from "../../../packages/db/src/testing/env.js";

export { startServer, type RunningServer } from "../bench/server-process.js";
export { createScratchDatabase, type ScratchDatabase } from "../bench/postgres.js";

export const PASSWORD = "violet-kettle-harbour-93";

/** Servers under test must not throttle the tests' own sign-ups, nor cap their to-dos. */
export const UNTHROTTLED = {
  AUTH_SIGN_INS_PER_CLIENT: "100000000",
  AUTH_SIGN_UPS_PER_CLIENT: "100000000",
  TODOS_PER_USER_MAX: "1000000",
};

/** The PostgreSQL server the reliability tests use (TEST_DATABASE_URL or DATABASE_URL). */
export function postgresUrl(): string {
  const url = testDatabaseUrl();
  if (!url) {
    throw new Error(
      "The reliability tests need real PostgreSQL: set TEST_DATABASE_URL, e.g. " +
        "postgres://postgres@127.0.0.1:5432/postgres",
    );
  }
  return url;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type Reply = {
  status: number;
  contentType: string | null;
  retryAfter: string | null;
  body: string;
  ms: number;
  at: number;
};

/** A cookie jar per virtual user: sends what the server set, follows every Set-Cookie. */
export class Client {
  readonly #cookies = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  get cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  cookie(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  async request(
    method: string,
    path: string,
    options: { json?: unknown; cookie?: string; timeoutMs?: number } = {},
  ): Promise<Reply> {
    const started = performance.now();
    const headers: Record<string, string> = {};
    const cookie = options.cookie ?? this.cookieHeader;
    if (cookie) headers.cookie = cookie;
    if (options.json !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    });
    const body = await response.text();
    if (options.cookie === undefined) {
      for (const header of response.headers.getSetCookie()) {
        const [pair, ...attributes] = header.split(";");
        const index = pair!.indexOf("=");
        const name = pair!.slice(0, index).trim();
        const value = pair!.slice(index + 1).trim();
        const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a));
        if (expired || value === "") this.#cookies.delete(name);
        else this.#cookies.set(name, value);
      }
    }
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      retryAfter: response.headers.get("retry-after"),
      body,
      ms: performance.now() - started,
      at: performance.now(),
    };
  }

  /**
   * 200 users signing up at once are more password work than the server queues (one hashing
   * thread on two cores): the excess is shed with 503 + Retry-After, and like a real client
   * this one waits that long and tries again. Sign-up latency is not what the load test
   * measures, so its requests get a minute rather than the 15 s of every other request.
   */
  async signUp(email: string): Promise<void> {
    const reply = await this.#retryingBusy(() =>
      this.request("POST", "/api/auth/register", {
        json: { email, password: PASSWORD },
        timeoutMs: 60_000,
      }),
    );
    if (reply.status !== 201) throw new Error(`sign-up: ${reply.status} ${reply.body}`);
  }

  async signIn(email: string): Promise<void> {
    const reply = await this.#retryingBusy(() =>
      this.request("POST", "/api/auth/login", { json: { email, password: PASSWORD } }),
    );
    if (reply.status !== 200) throw new Error(`sign-in: ${reply.status} ${reply.body}`);
  }

  /** 503 + Retry-After (password hashing busy): wait as told, up to 20 tries. */
  async #retryingBusy(send: () => Promise<Reply>): Promise<Reply> {
    for (let attempt = 1; ; attempt += 1) {
      const reply = await send();
      if (reply.status !== 503 || attempt === 20) return reply;
      const seconds = Number(reply.retryAfter ?? "1");
      await new Promise((resolve) => setTimeout(resolve, (seconds + Math.random()) * 1000));
    }
  }
}

export type Todo = { id: string; title: string; completed: boolean };

/** Every to-do of the client's user, page after page (`GET /api/todos` answers pages). */
export async function listAllTodos(
  client: Client,
  options: { cookie?: string } = {},
): Promise<{ status: number; body: string; todos: Todo[] }> {
  const todos: Todo[] = [];
  let cursor: string | null = null;
  for (;;) {
    const query: string = cursor ? `?limit=200&cursor=${cursor}` : "?limit=200";
    const reply = await client.request("GET", `/api/todos${query}`, options);
    if (reply.status !== 200) return { status: reply.status, body: reply.body, todos };
    const page = JSON.parse(reply.body) as { todos: Todo[]; nextCursor: string | null };
    todos.push(...page.todos);
    if (!page.nextCursor) return { status: 200, body: reply.body, todos };
    cursor = page.nextCursor;
  }
}

/** The PostgreSQL cluster serving `url` (Debian's pg_ctlcluster), to stop and start it. */
function clusterOf(url: string): { version: string; name: string } {
  const port = new URL(url).port || "5432";
  const lines = execFileSync("pg_lsclusters", ["--no-header"], { encoding: "utf8" })
    .trim()
    .split("\n");
  for (const line of lines) {
    const [version, name, clusterPort] = line.trim().split(/\s+/);
    if (version && name && clusterPort === port) return { version, name };
  }
  throw new Error(`no local PostgreSQL cluster on port ${port} (pg_lsclusters)`);
}

export function postgresControl(url: string) {
  const { version, name } = clusterOf(url);
  const args = (action: "stop" | "start") => [
    "--skip-systemctl-redirect",
    version,
    name,
    action,
    ...(action === "stop" ? ["-m", "fast"] : []),
  ];
  // Asynchronous, so the traffic of the test keeps flowing while the server stops and starts.
  const ctl = async (action: "stop" | "start") => {
    await promisify(execFile)("pg_ctlcluster", args(action), { timeout: 60_000 });
  };
  return {
    stop: () => ctl("stop"),
    start: () => ctl("start"),
    /** Starts the cluster unless it is already running; never throws. */
    ensureStarted: () => {
      try {
        execFileSync(
          "pg_isready",
          ["-h", new URL(url).hostname, "-p", new URL(url).port || "5432"],
          {
            stdio: "ignore",
            timeout: 10_000,
          },
        );
      } catch {
        try {
          execFileSync("pg_ctlcluster", args("start"), { stdio: "pipe", timeout: 60_000 });
        } catch (error) {
          console.error("could not restart PostgreSQL", error);
        }
      }
    },
  };
}

/** Runs `sql` against `url` on a fresh connection. */
export async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
): Promise<T[]> {
  const database = await openDatabase({ url, maxConnections: 1 });
  try {
    return (await database.postgres!.unsafe(sql)) as unknown as T[];
  } finally {
    await database.close();
  }
}
