import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { Hono } from "hono";
import { readPeerFirst } from "../../abuse/limiter-client.js";
import type { AuthEnv } from "../../authenticator.js";
import { jsonBody } from "../../http/json-body.js";
import { isUuid } from "../../ids.js";
import { lastSignInMethod } from "../../users/sign-in-methods.js";
import { lockUser } from "../../users/user-store.js";
import {
  finishAuthentication,
  finishRegistration,
  PASSKEY_METHOD,
  startAuthentication,
  startRegistration,
} from "./ceremonies.js";
import type { PasskeysDeps } from "./deps.js";
import { passkeyRouteDocs as docs } from "./openapi.js";
import { noSuchPasskey } from "./problems.js";
import { authenticateBody, authenticateOptionsBody, registerBody, renameBody } from "./schemas.js";
import { passkeyView } from "./store.js";

/** The plugin's routes, mounted under the host's auth path. */
export function passkeyRoutes(deps: PasskeysDeps) {
  const { context } = deps;
  const { requireAuth, requireRecentAuth, db } = context;
  return new Hono<AuthEnv>()
    .get("/passkeys", docs.list, requireAuth, async (c) => {
      const rows = await deps.passkeys.listOf(db, c.get("auth").userId);
      return c.json({ passkeys: rows.map(passkeyView) }, 200);
    })
    .post(
      "/passkeys/register/options",
      docs.registerOptions,
      requireAuth,
      requireRecentAuth,
      readPeerFirst,
      async (c) => c.json(await startRegistration(deps, c, c.get("auth")), 200),
    )
    .post("/passkeys/register", docs.register, requireAuth, jsonBody(registerBody), async (c) => {
      const { name, response } = c.req.valid("json");
      const passkey = await finishRegistration(deps, c, c.get("auth"), {
        name,
        response: response as unknown as RegistrationResponseJSON,
      });
      return c.json({ passkey }, 201);
    })
    .patch("/passkeys/:id", docs.rename, requireAuth, jsonBody(renameBody), async (c) => {
      const id = c.req.param("id");
      const row = isUuid(id)
        ? await deps.passkeys.rename(db, c.get("auth").userId, id, c.req.valid("json").name)
        : undefined;
      if (!row) throw noSuchPasskey();
      return c.json({ passkey: passkeyView(row) }, 200);
    })
    .delete("/passkeys/:id", docs.remove, requireAuth, requireRecentAuth, async (c) => {
      const auth = c.get("auth");
      const id = c.req.param("id");
      if (!isUuid(id)) throw noSuchPasskey();
      const removed = await db.transaction(async (tx) => {
        // The user's row first: an unlink or another removal waits, then counts after this one.
        if (!(await lockUser(tx, context.tables, auth.userId))) return undefined;
        const row = await deps.passkeys.remove(tx, auth.userId, id);
        if (!row) return undefined;
        // A password, another passkey or a provider must be left: none rolls the removal back.
        if ((await context.signInMethodsLeft(tx, auth.userId)) === 0) throw lastSignInMethod();
        await context.emit(
          "accountChanged",
          {
            userId: auth.userId,
            change: "passkey_removed",
            sessionId: auth.sessionId,
            client: context.clientInfo(c),
            detail: { method: PASSKEY_METHOD, name: row.name },
          },
          tx,
        );
        return row;
      });
      if (!removed) throw noSuchPasskey();
      return c.body(null, 204);
    })
    .post(
      "/passkeys/authenticate/options",
      docs.authenticateOptions,
      readPeerFirst,
      jsonBody(authenticateOptionsBody),
      async (c) => c.json(await startAuthentication(deps, c, c.req.valid("json").purpose), 200),
    )
    .post(
      "/passkeys/authenticate",
      docs.authenticate,
      readPeerFirst,
      jsonBody(authenticateBody),
      async (c) => {
        const response = c.req.valid("json").response as unknown as AuthenticationResponseJSON;
        const outcome = await finishAuthentication(deps, c, response);
        if (outcome.purpose === "reauthenticate") {
          return c.json({ authTime: outcome.authTime }, 200);
        }
        return c.json({ user: outcome.user }, 200);
      },
    );
}
