import { WrongCodeLimits } from "./wrong-code-limits.js";
import { deleteBatch } from "../../retention/prune.js";
import type { RetentionTask } from "../../retention/retention.js";
import { definePlugin } from "../plugin.js";
import { TWO_FACTOR_MIGRATIONS } from "./migrations.js";
import { resolveTwoFactorOptions, type TwoFactorOptions } from "./options.js";
import { RECOVERY_CODE_METHOD, TOTP_METHOD, twoFactorRoutes } from "./routes.js";
import { TwoFactorStore } from "./store.js";
import { twoFactorTables, type TwoFactorTables } from "./tables.js";

export type { TwoFactorOptions } from "./options.js";
export { twoFactorTables } from "./tables.js";

/**
 * Two-step verification with an authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s) and
 * 10 single-use recovery codes. Once a user turns it on, `POST /login` with the right password
 * opens no session: the browser completes the sign-in with `POST /2fa/verify`. Secrets are
 * encrypted at rest (AES-256-GCM under `encryptionKeys`), each code's time step is accepted
 * once, wrong codes are throttled per account, and turning it off or replacing the recovery
 * codes needs a recent sign-in (`POST /reauthenticate/totp` is one). See `docs/two-factor.md`.
 *
 * @example
 * const auth = await createAuth({
 *   db,
 *   secret,
 *   plugins: [
 *     securityEvents(),
 *     twoFactor({ encryptionKeys: [config.totpKey], issuer: "Tidy" }),
 *   ],
 * });
 */
export function twoFactor(options: TwoFactorOptions) {
  const resolved = resolveTwoFactorOptions(options);
  return definePlugin({
    id: "two-factor",
    migrations: TWO_FACTOR_MIGRATIONS,
    tables: (name, core) => {
      const tables = twoFactorTables(name, core);
      return { twoFactorTotp: tables.totp, twoFactorRecoveryCodes: tables.recoveryCodes };
    },
    setup: (context) => {
      const tables = twoFactorTables(context.tableName, context.tables);
      const store = new TwoFactorStore(
        context.db,
        tables,
        resolved.box,
        context.clock,
        resolved.window,
      );
      const wrongCodes = new WrongCodeLimits(
        {
          perClient: context.limit("two-factor-codes", resolved.throttle, "wrong codes"),
          perAccount: context.limit(
            "two-factor-codes-account",
            resolved.accountThrottle,
            "wrong codes for this account",
          ),
          perSession: context.limit("two-factor-codes-session", resolved.throttle, "wrong codes"),
        },
        context,
      );
      return {
        routes: twoFactorRoutes({ context, options: resolved, store, wrongCodes }),
        secondFactor: {
          async methods(db, userId) {
            const { totp, recoveryCodes } = await store.state(db, userId);
            if (!totp.enabled) return [];
            return [
              { name: TOTP_METHOD, enforced: true, stepUp: true },
              // Single use: a proof of possession of the account, not of the person now.
              ...(recoveryCodes.remaining > 0
                ? [{ name: RECOVERY_CODE_METHOD, enforced: true, stepUp: false }]
                : []),
            ];
          },
        },
        retention: [unconfirmedSetupsTask(tables, store)],
        exportData: (db, userId) => store.state(db, userId),
      };
    },
  });
}

/** Setups never confirmed, a day after they began (the partial index on `created_at`). */
function unconfirmedSetupsTask(tables: TwoFactorTables, store: TwoFactorStore): RetentionTask {
  return {
    name: "unconfirmed-setups",
    prune: ({ tx, nowMs, limit }) =>
      deleteBatch(tx, tables.totp, tables.totp.userId, store.unconfirmedBefore(nowMs), limit),
  };
}
