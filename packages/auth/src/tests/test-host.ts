import { Hono } from "hono";
import type { TestDatabase } from "@hybrid-auth/db/testing";
import { createAuth, type Auth } from "../create-auth.js";
import type { AuthEnv } from "../authenticator.js";
import { createProblemErrorHandler, problemNotFoundHandler } from "../http/problem.js";
import type { AuthOptions } from "../options/auth-options.js";
import { securityEvents } from "../plugins/security-events/index.js";
import { ManualClock } from "../testing/manual-clock.js";
import {
  signUp,
  STRONG_PASSWORD,
  uniqueEmail,
  type SignedUp,
  type SignUpOptions,
} from "../testing/sign-up.js";
import { TestClient } from "../testing/test-client.js";
import { createAuthTestDatabase } from "./test-database.js";

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
export { STRONG_PASSWORD, uniqueEmail };

type HostOptions = Partial<Omit<AuthOptions, "db" | "clock">>;

/**
 * The smallest host a developer would write: the auth routes under `/api/auth` and one
 * protected resource, `GET /api/notes`. The package's HTTP suites run against it.
 */
export function createHostApp(auth: Auth) {
  const app = new Hono<AuthEnv>();
  app.onError(
    createProblemErrorHandler((error) => {
      throw error;
    }),
  );
  app.notFound(problemNotFoundHandler);
  app.route("/api/auth", auth.routes);
  app.route("/", auth.wellKnown);
  app.get("/api/notes", auth.middleware, auth.requireAuth, (c) =>
    c.json({ owner: c.get("auth").userId, notes: [] }),
  );
  return app;
}

export type TestHost = {
  app: Hono<AuthEnv>;
  auth: Auth;
  database: TestDatabase;
  clock: ManualClock;
  /** SQL statements sent since the last `queries.reset()`. */
  queries: { count: number; statements: string[]; reset(): void };
  client(headers?: Record<string, string>): TestClient;
  /** Registers a fresh user and returns a signed-in client. */
  signUp(options?: SignUpOptions): Promise<SignedUp>;
  /** A second host over the same database: another process, or a restart. */
  sibling(overrides?: HostOptions): Promise<{ app: Hono<AuthEnv>; auth: Auth }>;
  dispose(): Promise<void>;
};

/** The test host over a fresh, migrated database, with a manual clock and a query counter. */
export async function createTestHost(options: HostOptions = {}): Promise<TestHost> {
  const statements: string[] = [];
  const plugins = options.plugins ?? [securityEvents()];
  const database = await createAuthTestDatabase(
    { plugins, tablePrefix: options.tablePrefix },
    (sql) => statements.push(sql),
  );
  const clock = new ManualClock(Date.now());
  const build = async (overrides: HostOptions = {}) => {
    const auth = await createAuth({
      secret: TEST_SECRET,
      secureCookies: false,
      // Tests run the retention job themselves (`auth.retention.runOnce()`), never on a timer.
      retention: { autoStart: false },
      ...options,
      ...overrides,
      plugins,
      db: database.db,
      clock,
    });
    return { app: createHostApp(auth), auth };
  };
  const { app, auth } = await build();
  const client = (headers?: Record<string, string>) =>
    new TestClient((request) => app.fetch(request), headers);
  return {
    app,
    auth,
    database,
    clock,
    queries: {
      get count() {
        return statements.length;
      },
      statements,
      reset: () => void (statements.length = 0),
    },
    client,
    signUp: (signUpOptions) => signUp((request) => app.fetch(request), signUpOptions),
    sibling: build,
    async dispose() {
      await auth.close();
      await database.dispose();
    },
  };
}
