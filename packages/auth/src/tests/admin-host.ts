import type { TestDatabase } from "@hybrid-auth/db/testing";
import { createAuth } from "../create-auth.js";
import type { AuthOptions } from "../options/auth-options.js";
import { ManualClock } from "../testing/manual-clock.js";
import { signUp, type SignedUp } from "../testing/sign-up.js";
import { TestClient } from "../testing/test-client.js";
import { createAuthTestDatabase } from "./test-database.js";
import { createHostApp } from "./test-host.js";
import { securityEvents } from "../plugins/security-events/index.js";
import { accessControl } from "../plugins/access-control/index.js";
import type { RoleSet } from "../plugins/access-control/roles.js";

export const TEST_SECRET = "test-secret-0123456789-abcdefghijklmnopqrstuvwxyz";

/**
 * A host of the access-control plugin, for its tests: the package's test host (auth routes
 * under `/api/auth`), the admin console's under `/api/admin`, and one host route behind
 * `requirePermission`.
 */
export async function createAdminHost(
  options: { roles?: RoleSet; onQuery?: (sql: string) => void } & Partial<
    Pick<AuthOptions, "revocationTransport">
  > = {},
) {
  const access = accessControl(options.roles ? { roles: options.roles } : {});
  const plugins = [securityEvents(), access] as const;
  const database: TestDatabase = await createAuthTestDatabase({ plugins }, options.onQuery);
  const clock = new ManualClock(Date.now());
  const build = async () => {
    const auth = await createAuth({
      db: database.db,
      clock,
      secret: TEST_SECRET,
      secureCookies: false,
      retention: { autoStart: false },
      plugins,
      ...(options.revocationTransport ? { revocationTransport: options.revocationTransport } : {}),
    });
    const app = createHostApp(auth);
    app.route("/api/admin", auth.mount("admin"));
    app.get("/api/reports", auth.middleware, access.requirePermission("users:read"), (c) =>
      c.json({ reports: [] }),
    );
    return { app, auth };
  };
  const { app, auth } = await build();
  const fetch = (request: Request) => app.fetch(request);
  /** A fresh, signed-in user with `role` (set by the application, not through the API). */
  const userWithRole = async (role: string): Promise<SignedUp> => {
    const user = await signUp(fetch);
    if (role !== "user") {
      await auth.admin.setRole(user.user.id, role);
      // Tokens minted in the millisecond of a revocation count as stale: move past it.
      clock.advance(1000);
    }
    return user;
  };
  return {
    app,
    auth,
    access,
    database,
    clock,
    fetch,
    client: () => new TestClient(fetch),
    signUp: () => signUp(fetch),
    userWithRole,
    /** Another process over the same database. */
    sibling: build,
    async dispose() {
      await auth.close();
      await database.dispose();
    },
  };
}

export type AdminHost = Awaited<ReturnType<typeof createAdminHost>>;
