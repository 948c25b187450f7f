/**
 * Database statements per request, counted in-process: the real app (`createApp`) over a real
 * database opened with an `onQuery` hook that sees every statement drizzle sends, requests
 * made with `app.fetch`. The same hook counts the baseline app's statements.
 */
import { openDatabase, type Database } from "@hybrid-auth/db";
import { migrateApp } from "../src/db/migrate.js";
import { createApp } from "../src/app.js";
import { createBaselineApp } from "./baseline-server.js";
import { BENCH_SECRET } from "./server-process.js";
import { BENCH_PASSWORD as PASSWORD } from "./setup.js";

export type QueryCounts = Record<string, number>;

const REQUESTS = 200;
const USERS = 20;

type Fetch = (request: Request) => Response | Promise<Response>;

function cookiesOf(response: Response): { access: string; session: string } {
  const pairs = response.headers.getSetCookie().map((header) => header.split(";")[0]!);
  const access = pairs.find((pair) => pair.startsWith("__Host-auth_access="));
  const session = pairs.find((pair) => pair.startsWith("__Host-auth_session="));
  if (!access || !session) throw new Error("sign-up did not set both cookies");
  return { access, session };
}

/** Counts statements per request for every variant of the benchmark, on one database. */
export async function countQueries(url: string | undefined): Promise<QueryCounts> {
  let statements = 0;
  const database: Database = await openDatabase({
    ...(url ? { url, maxConnections: 4 } : {}),
    onQuery: () => {
      statements += 1;
    },
  });
  let closeAuth = async () => {};
  try {
    await migrateApp(database);
    const { app, auth } = await createApp({
      database,
      config: {
        auth: {
          secret: BENCH_SECRET,
          previousSecrets: [],
          signing: { algorithm: "HS256" },
          accessTokenTtlSeconds: 600,
          sessionAbsoluteTtlSeconds: 30 * 24 * 3600,
          sessionIdleTtlSeconds: 7 * 24 * 3600,
          secureCookies: true,
          encryptionKeys: ["YmVuY2gtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU="],
          reauthenticationMaxAgeSeconds: 600,
        },
        bodyLimitBytes: 64 * 1024,
      },
      webDistDir: false,
      abuseLimits: {
        signInsPerClient: { points: 1_000_000, seconds: 60 },
        signUpsPerClient: { points: 1_000_000, seconds: 60 },
      },
      logError: (error) => console.error(error),
    });
    closeAuth = () => auth.close();
    const baseline = createBaselineApp(database.db);
    const base = "https://bench.test";
    const users: { access: string; session: string }[] = [];
    for (let i = 0; i < USERS; i += 1) {
      const response = await app.fetch(
        new Request(`${base}/api/auth/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `q-${i}-${Date.now()}@example.test`, password: PASSWORD }),
        }),
      );
      if (response.status !== 201) throw new Error(`sign-up: ${response.status}`);
      users.push(cookiesOf(response));
    }
    const perRequest = async (
      fetch: Fetch,
      make: (i: number) => Request,
      expected: number,
    ): Promise<number> => {
      const before = statements;
      for (let i = 0; i < REQUESTS; i += 1) {
        const response = await fetch(make(i));
        if (response.status !== expected) {
          throw new Error(`${make(i).method} ${make(i).url}: ${response.status}`);
        }
        await response.arrayBuffer();
      }
      return (statements - before) / REQUESTS;
    };
    const user = (i: number) => users[i % users.length]!;
    const get = (path: string, cookie?: string) =>
      new Request(`${base}${path}`, { headers: cookie ? { cookie } : {} });
    return {
      bare: await perRequest(app.fetch, () => get("/api/health"), 200),
      hot: await perRequest(
        app.fetch,
        (i) => get("/api/auth/session", `${user(i).access}; ${user(i).session}`),
        200,
      ),
      baseline: await perRequest(
        baseline.fetch,
        (i) => get("/api/auth/session", user(i).session),
        200,
      ),
      reissue: await perRequest(app.fetch, (i) => get("/api/auth/session", user(i).session), 200),
      todosGet: await perRequest(
        app.fetch,
        (i) => get("/api/todos", `${user(i).access}; ${user(i).session}`),
        200,
      ),
      todosPost: await perRequest(
        app.fetch,
        (i) =>
          new Request(`${base}/api/todos`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              cookie: `${user(i).access}; ${user(i).session}`,
            },
            body: JSON.stringify({ title: "bench" }),
          }),
        201,
      ),
    };
  } finally {
    await closeAuth();
    await database.close();
  }
}
