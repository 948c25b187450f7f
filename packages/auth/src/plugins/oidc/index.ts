import { lt } from "drizzle-orm";
import { deleteBatch } from "../../retention/prune.js";
import { definePlugin } from "../plugin.js";
import { SecretBox } from "../two-factor/secret-box.js";
import { ProviderClient } from "./client.js";
import { identitiesOf, STEP_UP_METHOD, type OidcDeps } from "./flows.js";
import { OIDC_MIGRATIONS } from "./migrations.js";
import { resolveOidcOptions, type OidcOptions } from "./options.js";
import { oidcRoutes } from "./routes.js";
import { oidcTables } from "./tables.js";

export type { OidcOptions, OidcProviderConfig, ProviderClaims } from "./options.js";
export type { IdentityView } from "./flows.js";
export { methodOf as oidcSignInMethod } from "./flows.js";
export { oidcTables } from "./tables.js";
export {
  githubProvider,
  googleProvider,
  microsoftProvider,
  oidcProvider,
  type PresetOptions,
} from "./presets.js";
export {
  CALLBACK_ERRORS as OIDC_CALLBACK_ERRORS,
  IDENTITY_IN_USE_TYPE,
  LINK_ACCOUNT_MISMATCH_TYPE,
  NO_PENDING_LINK_TYPE,
  type CallbackError as OidcCallbackError,
} from "./problems.js";
export { LAST_SIGN_IN_METHOD_TYPE } from "../../users/sign-in-methods.js";

/**
 * Sign in with OpenID Connect and OAuth 2 providers (Google, Microsoft Entra ID, GitHub, any
 * OpenID issuer by discovery), on `openid-client`: authorization code with PKCE (S256), state
 * and nonce in a sealed single-use HttpOnly cookie, the ID token fully verified (issuer,
 * audience, nonce, expiry, signature with the one pinned algorithm). A provider account is
 * an external identity (`issuer`, `subject`) of one user; a verified email that is an existing
 * account's is never taken over: the owner signs in and confirms the link. See
 * `docs/decisions/027-oidc-sign-in.md`.
 *
 * @example
 * const auth = await createAuth({
 *   db,
 *   secret,
 *   plugins: [
 *     securityEvents(),
 *     oidc({
 *       providers: [
 *         googleProvider({
 *           clientId: "123.apps.googleusercontent.com",
 *           clientSecret: "GOCSPX-…",
 *           redirectUri: "https://tidy.example/api/auth/oidc/google/callback",
 *         }),
 *       ],
 *     }),
 *   ],
 * });
 */
export function oidc(options: OidcOptions) {
  const resolved = resolveOidcOptions(options);
  return definePlugin({
    id: "oidc",
    migrations: OIDC_MIGRATIONS,
    tables: (name, core) => {
      const tables = oidcTables(name, core);
      return {
        oidcIdentities: tables.identities,
        oidcFlows: tables.flows,
        oidcPendingLinks: tables.pendingLinks,
      };
    },
    setup: (context) => {
      const tables = oidcTables(context.tableName, context.tables);
      const deps: OidcDeps = {
        context,
        options: resolved,
        tables,
        clients: new Map(
          [...resolved.providers.values()].map((p) => [p.id, new ProviderClient(p)]),
        ),
        flowBox: new SecretBox(context.deriveKeys("oidc-flow-cookie")),
        limits: {
          starts: context.limit(
            "oidc-starts",
            { points: 60, seconds: 60 },
            "sign-ins with a provider from this network",
          ),
        },
      };
      const { flows, pendingLinks } = tables;
      return {
        routes: oidcRoutes(deps),
        secondFactor: {
          // A connected OpenID provider can prove who the user is again (a fresh login there):
          // the way to step up for an account without a password.
          methods: async (db, userId) =>
            (await identitiesOf(deps, db, userId)).some(
              (row) => resolved.providers.get(row.provider)?.kind === "oidc",
            )
              ? [{ name: STEP_UP_METHOD, enforced: false, stepUp: true }]
              : [],
        },
        retention: [
          {
            name: "expired-flows",
            prune: ({ tx, nowMs, limit }) =>
              deleteBatch(tx, flows, flows.id, lt(flows.expiresAt, new Date(nowMs)), limit),
          },
          {
            name: "expired-pending-links",
            prune: ({ tx, nowMs, limit }) =>
              deleteBatch(
                tx,
                pendingLinks,
                pendingLinks.id,
                lt(pendingLinks.expiresAt, new Date(nowMs)),
                limit,
              ),
          },
        ],
        // An identity of a provider no longer configured signs in to nothing: it does not count.
        signInMethods: async (tx, userId) =>
          (await identitiesOf(deps, tx, userId)).filter((row) =>
            resolved.providers.has(row.provider),
          ).length,
        exportData: async (db, userId) => ({
          identities: (await identitiesOf(deps, db, userId)).map((row) => ({
            provider: row.provider,
            issuer: row.issuer,
            subject: row.subject,
            email: row.email,
            createdAt: row.createdAt.toISOString(),
            lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
          })),
        }),
      };
    },
  });
}
