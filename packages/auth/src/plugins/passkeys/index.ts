import { lt } from "drizzle-orm";
import { deleteBatch } from "../../retention/prune.js";
import { definePlugin } from "../plugin.js";
import { ChallengeStore } from "./challenges.js";
import { PASSKEY_METHOD } from "./ceremonies.js";
import type { PasskeysDeps } from "./deps.js";
import { PASSKEYS_MIGRATIONS } from "./migrations.js";
import { resolvePasskeysOptions, type PasskeysOptions } from "./options.js";
import { passkeyRoutes } from "./routes.js";
import { PasskeyStore } from "./store.js";
import { passkeysTables } from "./tables.js";

export type { PasskeysOptions } from "./options.js";
export type { PasskeyView } from "./store.js";
export { passkeysTables } from "./tables.js";
export {
  NO_PASSKEY_TYPE,
  PASSKEY_CHALLENGE_EXPIRED_TYPE,
  PASSKEY_LIMIT_TYPE,
  PASSKEY_NOT_ACCEPTED_TYPE,
} from "./problems.js";

/**
 * Passkeys (WebAuthn, on `@simplewebauthn/server`): sign in with a passkey alone
 * (discoverable, user verification required), use one as the second step of a password
 * sign-in, or to step up; list, rename and remove them. A passkey is never an enforced second
 * factor: a user who has only passkeys still signs in with the password alone. See
 * `docs/passkeys.md`.
 *
 * @example
 * const auth = await createAuth({
 *   db,
 *   secret,
 *   plugins: [
 *     securityEvents(),
 *     passkeys({ rpId: "tidy.example", rpName: "Tidy", origins: ["https://tidy.example"] }),
 *   ],
 * });
 */
export function passkeys(options: PasskeysOptions) {
  const resolved = resolvePasskeysOptions(options);
  return definePlugin({
    id: "passkeys",
    migrations: PASSKEYS_MIGRATIONS,
    tables: (name, core) => {
      const tables = passkeysTables(name, core);
      return { passkeys: tables.passkeys, webauthnChallenges: tables.challenges };
    },
    setup: (context) => {
      const tables = passkeysTables(context.tableName, context.tables);
      const deps: PasskeysDeps = {
        context,
        options: resolved,
        tables,
        passkeys: new PasskeyStore(tables.passkeys),
        challenges: new ChallengeStore(tables.challenges, context.clock, resolved.httpsOnly),
        limits: {
          ceremonies: context.limit(
            "passkey-ceremonies",
            { points: 60, seconds: 60 },
            "passkey requests from this network",
          ),
          assertions: context.limit(
            "passkey-failures",
            { points: 30, seconds: 15 * 60 },
            "failed passkey attempts from this network",
          ),
        },
      };
      const challenges = tables.challenges;
      return {
        routes: passkeyRoutes(deps),
        secondFactor: {
          methods: async (db, userId) =>
            (await deps.passkeys.hasAny(db, userId))
              ? [{ name: PASSKEY_METHOD, enforced: false, stepUp: true }]
              : [],
        },
        retention: [
          {
            name: "expired-challenges",
            prune: ({ tx, nowMs, limit }) =>
              deleteBatch(
                tx,
                challenges,
                challenges.id,
                lt(challenges.expiresAt, new Date(nowMs)),
                limit,
              ),
          },
        ],
        signInMethods: (tx, userId) => deps.passkeys.countOf(tx, userId),
        exportData: async (db, userId) => ({
          passkeys: (await deps.passkeys.listOf(db, userId)).map((row) => ({
            name: row.name,
            createdAt: row.createdAt.toISOString(),
            lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
            deviceType: row.deviceType,
            backedUp: row.backedUp,
          })),
        }),
      };
    },
  });
}
