import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { execPath } from "node:process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createPostgresRevocationTransport } from "@hybrid-auth/auth";
import { signUp, type TestClient } from "@hybrid-auth/auth/testing";
import { openDatabase } from "@hybrid-auth/db";
import { testDatabaseUrl } from "@hybrid-auth/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../app.js";
import { migrateApp } from "../db/migrate.js";
import { createTestApp, TEST_SECRET, testAuthConfig, type TestApp } from "../testing/test-app.js";
import { setRole } from "./set-role.js";

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));

/** Runs the command in-process and collects what it prints. */
async function run(args: string[], env: Record<string, string | undefined>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await setRole(args, env, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("pnpm auth:set-role on the embedded database", () => {
  const root = mkdtempSync(join(tmpdir(), "hybrid-auth-set-role-"));
  const env = { NODE_ENV: "development", DATA_DIR: root, AUTH_SECRET: TEST_SECRET };
  const dataDir = join(root, "pglite");
  let email: string;
  let second: string;

  beforeAll(async () => {
    // What a newcomer has done: started the app once and signed up.
    const database = await openDatabase({ dataDir });
    try {
      await migrateApp(database);
      const { app, auth } = await createApp({
        database,
        config: { auth: testAuthConfig(), bodyLimitBytes: 65536 },
        webDistDir: false,
      });
      const fetch = (request: Request) => app.fetch(request);
      email = (await signUp(fetch)).email;
      second = (await signUp(fetch)).email;
      await auth.close();
    } finally {
      await database.close();
    }
  }, 120_000);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("makes the first administrator, from the repository root, as the README says", async () => {
    const { stdout } = await promisify(execFile)(
      "pnpm",
      ["--silent", "auth:set-role", email.toUpperCase(), "admin"],
      {
        cwd: repoRoot,
        // Only what pnpm and the command need: no inherited environment.
        env: { PATH: `${dirname(execPath)}:/usr/local/bin:/usr/bin:/bin`, HOME: root, ...env },
        timeout: 120_000,
      },
    );
    expect(stdout).toContain(`${email} is now admin (was user).`);
  });

  it("refuses clearly while a server holds the data directory", async () => {
    const server = await openDatabase({ dataDir });
    try {
      const result = await run([second, "manager"], env);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/in use by another process/);
      expect(result.err).toMatch(/stop the server/);
    } finally {
      await server.close();
    }
  });

  it("says what is wrong: usage, an undeclared role, an unknown email, the last administrator", async () => {
    expect(await run([], env)).toMatchObject({ code: 2, err: expect.stringMatching(/^usage:/) });
    expect(await run([second, "root"], env)).toMatchObject({
      code: 2,
      err: expect.stringContaining("use one of user, manager, admin"),
    });
    expect(await run(["nobody@example.test", "admin"], env)).toMatchObject({
      code: 1,
      err: expect.stringContaining("No account uses nobody@example.test"),
    });
    expect(await run([email, "user"], env)).toMatchObject({
      code: 1,
      err: expect.stringContaining("last administrator"),
    });
    expect(await run([email, "admin"], env)).toMatchObject({
      code: 0,
      out: expect.stringContaining("already"),
    });
    expect(await run([second, "manager"], env)).toMatchObject({ code: 0 });
  });

  it("on a fresh directory, tells the newcomer to start the app and sign up first", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "hybrid-auth-set-role-fresh-"));
    try {
      const result = await run([email, "admin"], { ...env, DATA_DIR: fresh });
      expect(result).toMatchObject({ code: 1, err: expect.stringContaining("sign up") });
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });
});

describe.runIf(testDatabaseUrl())("pnpm auth:set-role on PostgreSQL", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.dispose());

  it("while the server runs: the user's next request carries the new role", async () => {
    // A server process listening for revocations over PostgreSQL, as in production.
    const server = await t.sibling({
      revocationTransport: createPostgresRevocationTransport(t.database.postgres!),
    });
    try {
      const user = await signUp((request) => server.app.fetch(request));
      const client: TestClient = user.client;
      expect((await client.get("/api/admin/users")).status).toBe(403);
      t.clock.advance(1000);
      const env = {
        NODE_ENV: "development",
        DATABASE_URL: t.database.url,
        AUTH_SECRET: TEST_SECRET,
      };
      expect(await run([user.email, "manager"], env)).toMatchObject({ code: 0 });
      t.clock.advance(1000);
      // The NOTIFY reaches the server within milliseconds.
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt += 1) {
        status = (await client.get("/api/admin/users")).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(status).toBe(200);
      const audit = (await (await client.get("/api/admin/audit")).json()) as {
        events: { action: string; actor: { label: string } }[];
      };
      expect(audit.events[0]).toMatchObject({
        action: "role_changed",
        actor: { label: "pnpm auth:set-role" },
      });
    } finally {
      await server.auth.close();
    }
  });
});
