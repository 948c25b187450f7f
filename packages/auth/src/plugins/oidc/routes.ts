import { Hono } from "hono";
import { readPeerFirst } from "../../abuse/limiter-client.js";
import type { AuthEnv, AuthState } from "../../authenticator.js";
import { jsonBody } from "../../http/json-body.js";
import { isUuid } from "../../ids.js";
import {
  cancelPendingLink,
  confirmPendingLink,
  handleCallback,
  identitiesOf,
  identityView,
  passwordSet,
  pendingLinkView,
  startFlow,
  unlinkIdentity,
  type OidcDeps,
} from "./flows.js";
import { oidcRouteDocs as docs } from "./openapi.js";
import { noSuchIdentity } from "./problems.js";
import { reauthenticateBody, startBody } from "./schemas.js";

/** The plugin's routes, mounted under the host's auth path. */
export function oidcRoutes(deps: OidcDeps) {
  const { context } = deps;
  const { requireAuth, requireRecentAuth, db } = context;
  const providers = [...deps.options.providers.values()].map(({ id, name }) => ({ id, name }));
  return new Hono<AuthEnv>()
    .get("/oidc/providers", docs.providers, (c) => c.json({ providers }, 200))
    .post("/oidc/link/confirm", docs.confirmLink, requireAuth, requireRecentAuth, async (c) => {
      const identity = await confirmPendingLink(deps, c, c.get("auth"));
      return c.json({ identity }, 201);
    })
    .get("/oidc/link", docs.pendingLink, async (c) =>
      c.json({ link: await pendingLinkView(deps, c) }, 200),
    )
    .delete("/oidc/link", docs.cancelLink, async (c) => {
      await cancelPendingLink(deps, c);
      return c.body(null, 204);
    })
    .get("/identities", docs.identities, requireAuth, async (c) => {
      const userId = c.get("auth").userId;
      const rows = await identitiesOf(deps, db, userId);
      return c.json(
        {
          identities: rows.map((row) => identityView(deps, row)),
          passwordSet: await passwordSet(deps, userId),
        },
        200,
      );
    })
    .delete("/identities/:id", docs.unlink, requireAuth, requireRecentAuth, async (c) => {
      const id = c.req.param("id");
      if (!isUuid(id)) throw noSuchIdentity();
      await unlinkIdentity(deps, c, c.get("auth"), id);
      return c.body(null, 204);
    })
    .post("/oidc/:provider/start", docs.start, readPeerFirst, jsonBody(startBody), async (c) =>
      c.json(await startFlow(deps, c, c.req.param("provider"), "sign-in", null), 200),
    )
    .post(
      "/oidc/:provider/link",
      docs.link,
      requireAuth,
      requireRecentAuth,
      readPeerFirst,
      jsonBody(startBody),
      async (c) =>
        c.json(await startFlow(deps, c, c.req.param("provider"), "link", c.get("auth")), 200),
    )
    .post(
      "/oidc/:provider/reauthenticate",
      docs.reauthenticate,
      requireAuth,
      readPeerFirst,
      jsonBody(reauthenticateBody),
      async (c) => {
        const auth: AuthState = c.get("auth");
        const returnTo = c.req.valid("json").returnTo ?? null;
        return c.json(
          await startFlow(deps, c, c.req.param("provider"), "reauthenticate", auth, returnTo),
          200,
        );
      },
    )
    .get("/oidc/:provider/callback", docs.callback, readPeerFirst, (c) =>
      handleCallback(deps, c, c.req.param("provider")),
    );
}
