import { Hono } from "hono";
import type { AuthEnv } from "../../authenticator.js";
import { jsonBody } from "../../http/json-body.js";
import type { ApiKeysDeps } from "./deps.js";
import { rowIdOf } from "./format.js";
import { introspect, introspectionForm, introspectionNeedsKey } from "./introspect.js";
import { createKey, revokeKey } from "./lifecycle.js";
import { apiKeyRouteDocs as docs } from "./openapi.js";
import { INTROSPECT_SCOPE } from "./options.js";
import { noSuchApiKey } from "./problems.js";
import { createKeyBody } from "./schemas.js";
import { apiKeyView } from "./store.js";

/** The plugin's routes, mounted under the host's auth path. */
export function apiKeyRoutes(deps: ApiKeysDeps) {
  const { context, options, store } = deps;
  const { requireAuth, requireRecentAuth, db } = context;
  const scopes = [...options.scopes].map(([name, description]) => ({ name, description }));
  return new Hono<AuthEnv>()
    .get("/api-keys", docs.list, requireAuth, async (c) => {
      const rows = await store.listOf(db, c.get("auth").userId);
      const apiKeys = rows.map(apiKeyView);
      return c.json({ apiKeys, scopes, limit: options.maxKeysPerUser }, 200);
    })
    .post(
      "/api-keys",
      docs.create,
      requireAuth,
      requireRecentAuth,
      jsonBody(createKeyBody(options.scopes, () => context.clock.now())),
      async (c) => c.json(await createKey(deps, c, c.get("auth"), c.req.valid("json")), 201),
    )
    .delete("/api-keys/:id", docs.revoke, requireAuth, async (c) => {
      const rowId = rowIdOf(c.req.param("id"));
      if (rowId === undefined || !(await revokeKey(deps, c, c.get("auth"), rowId))) {
        throw noSuchApiKey();
      }
      return c.body(null, 204);
    })
    .post("/introspect", docs.introspect, context.requireScope(INTROSPECT_SCOPE), async (c) => {
      if (!c.get("auth").apiKey) throw introspectionNeedsKey();
      return c.json(await introspect(deps, await introspectionForm(c)), 200);
    });
}
