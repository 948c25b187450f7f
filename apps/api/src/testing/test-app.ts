import type { AbuseLimitOptions } from "@hybrid-auth/auth";
import {
  ManualClock,
  signUp,
  STRONG_PASSWORD,
  TestClient,
  uniqueEmail,
  type SignedUp,
  type SignUpOptions,
} from "@hybrid-auth/auth/testing";
import { createTestDatabase, type TestDatabase } from "@hybrid-auth/db/testing";
import { createApp, type AppDeps } from "../app.js";
import type { Config } from "../config.js";
import { migrateApp } from "../db/migrate.js";

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";
/** 32 bytes, base64: the second-factor secrets' key in tests. */
export const TEST_ENCRYPTION_KEY = Buffer.from("test-encryption-key-32-bytes-ok!").toString(
  "base64",
);

export { STRONG_PASSWORD, uniqueEmail };

export function testAuthConfig(overrides: Partial<Config["auth"]> = {}): Config["auth"] {
  return {
    secret: TEST_SECRET,
    previousSecrets: [],
    signing: { algorithm: "HS256" },
    accessTokenTtlSeconds: 600,
    sessionAbsoluteTtlSeconds: 30 * 24 * 3600,
    sessionIdleTtlSeconds: 7 * 24 * 3600,
    secureCookies: false,
    encryptionKeys: [TEST_ENCRYPTION_KEY],
    reauthenticationMaxAgeSeconds: 600,
    ...overrides,
  };
}

export type TestApp = Awaited<ReturnType<typeof createApp>> & {
  database: TestDatabase;
  clock: ManualClock;
  /** SQL statements sent since the last `queries.reset()`. */
  queries: { count: number; statements: string[]; reset(): void };
  client(headers?: Record<string, string>): TestClient;
  /** Registers a fresh user and returns a signed-in client. */
  signUp(options?: SignUpOptions): Promise<SignedUp>;
  /** A second `createApp` over the same database: another process, or a restart. */
  sibling(overrides?: Partial<AppDeps>): Promise<Awaited<ReturnType<typeof createApp>>>;
  dispose(): Promise<void>;
};

const GENEROUS_CLIENT_LIMITS: Partial<AbuseLimitOptions> = {
  signInsPerClient: { points: 10_000, seconds: 60 },
  signUpsPerClient: { points: 10_000, seconds: 60 },
  passwordChangesPerClient: { points: 10_000, seconds: 60 },
};

/** The API over a fresh, migrated test database, with a manual clock and a query counter. */
export async function createTestApp(
  options: {
    auth?: Partial<Config["auth"]>;
    bodyLimitBytes?: number;
    webDistDir?: string | false;
    abuseLimits?: Partial<AbuseLimitOptions>;
    /** `TODOS_PER_USER_MAX` (default: the app's, 1000). */
    todosPerUserMax?: number;
    /** Where mail goes and what its links point to (default: unsent files in a temp folder). */
    mail?: Config["mail"];
    /** Lines the app logs (the file mailer's "written to …"). */
    log?: (line: string) => void;
  } = {},
): Promise<TestApp> {
  const statements: string[] = [];
  const database = await createTestDatabase({
    onQuery: (sql) => statements.push(sql),
    migrate: migrateApp,
  });
  const clock = new ManualClock(Date.now());
  const deps: AppDeps = {
    database,
    clock,
    config: {
      auth: testAuthConfig(options.auth),
      bodyLimitBytes: options.bodyLimitBytes ?? 64 * 1024,
      ...(options.todosPerUserMax === undefined
        ? {}
        : { todos: { maxPerUser: options.todosPerUserMax } }),
      ...(options.mail ? { mail: options.mail } : {}),
    },
    ...(options.log ? { log: options.log } : {}),
    webDistDir: options.webDistDir ?? false,
    // In-process requests have no client address and would all share one bucket: the
    // per-client limits are raised here and tested on their own (abuse-limits.test.ts).
    abuseLimits: { ...GENEROUS_CLIENT_LIMITS, ...options.abuseLimits },
    logError: (error) => {
      throw error;
    },
  };
  const built = await createApp(deps);
  const queries = {
    get count() {
      return statements.length;
    },
    statements,
    reset: () => {
      statements.length = 0;
    },
  };
  const client = (headers?: Record<string, string>) =>
    new TestClient((request) => built.app.fetch(request), headers);
  return {
    ...built,
    database,
    clock,
    queries,
    client,
    signUp: (options) => signUp((request) => built.app.fetch(request), options),
    sibling: (overrides = {}) => createApp({ ...deps, ...overrides }),
    async dispose() {
      await built.auth.close();
      await database.dispose();
    },
  };
}
