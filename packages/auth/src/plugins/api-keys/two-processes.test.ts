import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabaseUrl } from "@hybrid-auth/db/testing";
import type { Hono } from "hono";
import type { AuthEnv } from "../../authenticator.js";
import type { Auth } from "../../create-auth.js";
import { createPostgresRevocationTransport } from "../../revocation/postgres-transport.js";
import { createHostApp, createTestHost, type TestHost } from "../../tests/test-host.js";
import { signUp } from "../../testing/sign-up.js";
import { TestClient } from "../../testing/test-client.js";
import { securityEvents } from "../security-events/index.js";
import { apiKeys } from "./index.js";

/**
 * Two `createAuth` over one PostgreSQL database, each with its own LISTEN transport: two
 * processes. A key verified (and remembered) on B is refused on B's next request once A
 * revoked it, or disabled its owner — B never looked at the database in between.
 */
describe.runIf(testDatabaseUrl())("API keys across two processes (PostgreSQL LISTEN)", () => {
  let host: TestHost;
  let a: { app: Hono<AuthEnv>; auth: Auth };
  let b: { app: Hono<AuthEnv>; auth: Auth };
  const withTodos = (auth: Auth) => {
    const app = createHostApp(auth);
    app.get("/api/todos", auth.middleware, auth.requireScope("todos:read"), (c) => c.json({}));
    return { app, auth };
  };

  beforeAll(async () => {
    host = await createTestHost({
      plugins: [securityEvents(), apiKeys({ scopes: { "todos:read": "Read" } })],
    });
    const transport = () => createPostgresRevocationTransport(host.database.postgres!);
    a = withTodos((await host.sibling({ revocationTransport: transport() })).auth);
    b = withTodos((await host.sibling({ revocationTransport: transport() })).auth);
  });
  afterAll(async () => {
    await a?.auth.close();
    await b?.auth.close();
    await host?.dispose();
  });

  /** Polls B until it refuses (the event travels through PostgreSQL), at most 2 s. */
  async function refusedOnB(key: TestClient): Promise<number> {
    const since = Date.now();
    for (;;) {
      const response = await key.get("/api/todos");
      if (response.status === 401) return Date.now() - since;
      expect(response.status).toBe(200);
      if (Date.now() - since > 2000) throw new Error("B still accepts the key after 2 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async function keyOf(user: Awaited<ReturnType<typeof signUp>>) {
    const response = await user.client.post("/api/auth/api-keys", {
      name: "script",
      scopes: ["todos:read"],
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { apiKey: { id: string }; secret: string };
  }

  it("revoked on A: refused on B from the next request after the event", async () => {
    const user = await signUp((request) => a.app.fetch(request));
    const { apiKey, secret } = await keyOf(user);
    const onB = new TestClient((request) => b.app.fetch(request), {
      Authorization: `Bearer ${secret}`,
    });
    expect((await onB.get("/api/todos")).status).toBe(200);
    host.queries.reset();
    expect((await onB.get("/api/todos")).status).toBe(200);
    expect(host.queries.count).toBe(0);
    expect((await user.client.delete(`/api/auth/api-keys/${apiKey.id}`)).status).toBe(204);
    expect(await refusedOnB(onB)).toBeLessThan(2000);
  });

  it("owner disabled on A: the key is refused on B", async () => {
    const user = await signUp((request) => a.app.fetch(request));
    const { secret } = await keyOf(user);
    const onB = new TestClient((request) => b.app.fetch(request), {
      Authorization: `Bearer ${secret}`,
    });
    expect((await onB.get("/api/todos")).status).toBe(200);
    await a.auth.admin.disableUser(user.user.id);
    expect(await refusedOnB(onB)).toBeLessThan(2000);
  });
});
