import { definePlugin } from "../plugin.js";
import type { ApiKeysDeps } from "./deps.js";
import { lastUsedWorker } from "./last-used.js";
import { API_KEYS_MIGRATIONS } from "./migrations.js";
import { resolveApiKeysOptions, type ApiKeysOptions } from "./options.js";
import { apiKeyRoutes } from "./routes.js";
import { apiKeyView, ApiKeyStore } from "./store.js";
import { apiKeysTable } from "./tables.js";
import { ApiKeyVerifier } from "./verifier.js";

export type { ApiKeysOptions } from "./options.js";
export type { ApiKeyView } from "./store.js";
export { apiKeysTable } from "./tables.js";
export { API_KEY_LIMIT_TYPE } from "./problems.js";
export { INTROSPECT_SCOPE } from "./options.js";
export type { Introspection } from "./introspect.js";

/**
 * API keys for scripts and services: `Authorization: Bearer hak_…` with the key's scopes only
 * (routes behind `auth.requireScope(scope)`; every other route refuses keys). Secrets carry a
 * prefix and a CRC32 checksum for secret scanners and are stored as SHA-256 only; creating
 * one needs a recent authentication; revoking one (or disabling the user) is refused on every
 * process from the next request. Also `POST /introspect` (RFC 7662) for resource servers.
 * See `docs/api-keys.md`.
 *
 * @example
 * const auth = await createAuth({
 *   db,
 *   secret,
 *   plugins: [apiKeys({ scopes: { "todos:read": "Read your to-dos" } })],
 * });
 * app.get("/api/todos", auth.middleware, auth.requireScope("todos:read"), listTodos);
 */
export function apiKeys(options: ApiKeysOptions) {
  const resolved = resolveApiKeysOptions(options);
  return definePlugin({
    id: "api-keys",
    migrations: API_KEYS_MIGRATIONS,
    tables: (name, core) => ({ apiKeys: apiKeysTable(name, core) }),
    setup: (context) => {
      const table = apiKeysTable(context.tableName, context.tables);
      const store = new ApiKeyStore(table, context.tables);
      const verifier = new ApiKeyVerifier({
        db: context.db,
        clock: context.clock,
        store,
        revocations: context.revocations,
        prefix: resolved.prefix,
        cacheSize: resolved.cacheSize,
      });
      const deps: ApiKeysDeps = { context, options: resolved, table, store, verifier };
      return {
        routes: apiKeyRoutes(deps),
        hooks: {
          // Account recovery presumes a compromise: the keys go with the old password, in the
          // reset's transaction; its user-wide event makes every process look again (034).
          sessionsRevoked: async ({ userId, reason }, tx) => {
            if (reason === "password_reset") await store.removeAllOf(tx, userId);
          },
        },
        authenticateBearer: verifier.authenticate,
        workers: [lastUsedWorker(context.db, store, verifier, resolved.lastUsedFlushSeconds)],
        // What the list shows: never the secret (only its hash exists).
        exportData: async (db, userId) => ({
          apiKeys: (await store.listOf(db, userId)).map((row) => apiKeyView(row)),
        }),
      };
    },
  });
}
