import { and, eq } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import { definePlugin, type PluginContext } from "../plugin.js";
import type { AuthHooks } from "../hooks.js";
import { findUserById } from "../../users/user-store.js";
import type { Problem } from "../../http/problem.js";
import type { UserRow } from "../../schema/core-tables.js";
import { mailContext, pageLink, queueMail, type LifecycleDeps } from "./deps.js";
import { alertNewSignIn, newSignInAlertsWanted } from "./flows/new-sign-in.js";
import { RESET_REQUEST_KIND, resetMailPreparer } from "./flows/password-reset.js";
import {
  queueVerificationMail,
  VERIFY_REQUEST_KIND,
  verificationMailPreparer,
} from "./flows/verify-email.js";
import { Outbox } from "./mail/outbox.js";
import { MessageSeal } from "./mail/seal.js";
import { MailWorker } from "./mail/worker.js";
import { ACCOUNT_LIFECYCLE_MIGRATIONS } from "./migrations.js";
import { resolveOptions, type AccountLifecycleOptions, type ResolvedOptions } from "./options.js";
import { expiredTokensTask, finishedMailTask } from "./retention.js";
import { accountRoutes } from "./routes.js";
import { accountLifecycleTables, type AccountLifecycleTables } from "./tables.js";
import { passwordChangedMail } from "./templates/password-changed.js";
import { MAILED_SECURITY_CHANGES, securityChangeMail } from "./templates/security-change.js";
import { AccountTokens } from "./tokens.js";

export { smtpMailer, fileMailer, type Mailer, type MailMessage } from "./mail/mailer.js";
export type { DeliveryOptions, DeliveryRound } from "./mail/worker.js";
export type { AccountLifecycleOptions } from "./options.js";
export { accountLifecycleTables } from "./tables.js";

/** Delivered mail is kept this long as a receipt (its content is dropped at delivery). */
const KEEP_FINISHED_MAIL_DAYS = 7;

/**
 * The account lifecycle over email: verify the address, forgot and reset the password, change
 * the email, edit the profile, delete the account, export its data, and a "new sign-in" mail.
 * Every mail goes through an outbox written in the transaction of the change that causes it,
 * delivered by a worker with retries (`auth.workers.start()`); tokens are 256-bit, stored as
 * SHA-256, single use, short-lived and bound to what they were issued for. See
 * `docs/account-lifecycle.md`.
 *
 * @example
 * const auth = await createAuth({
 *   db,
 *   secret,
 *   plugins: [
 *     securityEvents(),
 *     accountLifecycle({
 *       mailer: config.smtpUrl ? smtpMailer(config.smtpUrl) : fileMailer(".data/mail"),
 *       from: "Tidy <no-reply@tidy.example>",
 *       publicUrl: "https://tidy.example",
 *       productName: "Tidy",
 *     }),
 *   ],
 * });
 * auth.workers.start(); // delivers the mail
 */
export function accountLifecycle(options: AccountLifecycleOptions) {
  const resolved = resolveOptions(options);
  return definePlugin({
    id: "account-lifecycle",
    migrations: ACCOUNT_LIFECYCLE_MIGRATIONS,
    tables: (name, core) => {
      const tables = accountLifecycleTables(name, core);
      return {
        accountTokens: tables.tokens,
        mailOutbox: tables.outbox,
        mailPreferences: tables.preferences,
      };
    },
    setup: (context) => {
      const deps = createDeps(context, resolved);
      return {
        routes: accountRoutes(deps),
        hooks: lifecycleHooks(deps),
        workers: [deps.worker],
        retention: [
          expiredTokensTask(deps.tables),
          finishedMailTask(deps.tables, KEEP_FINISHED_MAIL_DAYS),
        ],
        ...(resolved.requireVerifiedEmail ? { sessionGate: unverifiedEmailGate } : {}),
        exportData: async (db, userId) => ({
          notifications: { newSignInAlerts: await newSignInAlertsWanted(deps, db, userId) },
          pendingEmailChange: await pendingEmailChange(deps, db, userId),
        }),
      };
    },
  });
}

/** `requireVerifiedEmail`: no session for an address nobody has proved they read. */
function unverifiedEmailGate(user: UserRow): Problem | undefined {
  if (user.emailVerifiedAt) return undefined;
  return {
    status: 403,
    type: "/problems/email-not-verified",
    title: "Email not verified",
    detail: "Confirm your email address first: open the link we sent you, or ask for a new one.",
  };
}

/** An email change asked for and not confirmed yet (the address and when its link dies). */
async function pendingEmailChange(deps: LifecycleDeps, db: Db | Tx, userId: string) {
  const t = deps.tables.tokens;
  const [row] = await db
    .select({ newEmail: t.newEmail, expiresAt: t.expiresAt })
    .from(t)
    .where(and(eq(t.userId, userId), eq(t.purpose, "change_email")));
  return row ? { newEmail: row.newEmail, expiresAt: row.expiresAt.toISOString() } : null;
}

function createDeps(context: PluginContext, options: ResolvedOptions): LifecycleDeps {
  const tables: AccountLifecycleTables = accountLifecycleTables(context.tableName, context.tables);
  const outbox = new Outbox(tables.outbox, new MessageSeal(context.deriveKeys("mail outbox v1")));
  const mailDomain = new URL(options.publicOrigin).hostname;
  const deps = {
    context,
    options,
    tables,
    tokens: new AccountTokens(tables.tokens),
    outbox,
    limits: {
      mailsPerAddress: context.limit(
        "mails-per-address",
        options.limits.mailsPerAddress,
        "emails to this address",
      ),
      mailRequestsPerClient: context.limit(
        "mail-requests",
        options.limits.mailRequestsPerClient,
        "email requests from this network",
      ),
      tokenAttemptsPerClient: context.limit(
        "link-attempts",
        options.limits.tokenAttemptsPerClient,
        "link attempts from this network",
      ),
      exportsPerAccount: context.limit("exports", { points: 5, seconds: 15 * 60 }, "data exports"),
    },
  } as Omit<LifecycleDeps, "worker"> as LifecycleDeps;
  deps.worker = new MailWorker(
    context.db,
    outbox,
    options.mailer,
    context.clock,
    options.delivery,
    {
      from: options.from,
      messageId: (row) => `<${row.createdAt.getTime()}.${row.id}.${row.kind}@${mailDomain}>`,
      preparers: {
        [RESET_REQUEST_KIND]: resetMailPreparer(deps),
        [VERIFY_REQUEST_KIND]: verificationMailPreparer(deps),
      },
    },
    (error, row) =>
      options.onDeliveryError(error, { id: row.id, kind: row.kind, recipient: row.recipient }),
  );
  return deps;
}

/** Mail that follows from the core's events, queued in their transactions. */
function lifecycleHooks(deps: LifecycleDeps): AuthHooks {
  return {
    signedUp: async ({ userId }, tx) => {
      const user = await findUserById(tx, deps.context.tables, userId);
      // An account made through an OpenID provider may start verified: no link to mail.
      if (user && !user.emailVerifiedAt) await queueVerificationMail(deps, tx, user);
    },
    signedIn: async (event, tx) => {
      if (event.newDevice) await alertNewSignIn(deps, tx, event);
    },
    // Signing out everywhere is how an owner takes an account back: a pending email change
    // (which would move it away) dies with it. A password change kills it by its binding.
    sessionsRevoked: async ({ userId, reason }, tx) => {
      if (reason === "signed_out_everywhere" || reason === "token_reuse_detected") {
        await deps.tokens.revokeAll(tx, userId, "change_email");
      }
    },
    // A way to sign in changed (a second factor, recovery codes, a passkey): the owner is told
    // at their address, whoever did it — the mail an attacker holding a session cannot stop.
    accountChanged: async ({ userId, change, detail }, tx) => {
      if (!MAILED_SECURITY_CHANGES.has(change)) return;
      const [user] = await tx
        .select({ email: deps.context.tables.users.email })
        .from(deps.context.tables.users)
        .where(eq(deps.context.tables.users.id, userId));
      if (!user) return;
      await queueMail(deps, tx, {
        userId,
        kind: "security-change",
        dedupeKey: `security-change:${change}:${userId}:${deps.context.clock.now()}`,
        recipient: user.email,
        content: securityChangeMail(mailContext(deps), {
          change,
          ...(detail?.["name"] ? { name: detail["name"] } : {}),
          accountLink: pageLink(deps, "account"),
          forgotLink: pageLink(deps, "forgotPassword"),
        }),
      });
    },
    passwordChanged: async ({ userId, sessionId }, tx) => {
      const [user] = await tx
        .select({ email: deps.context.tables.users.email })
        .from(deps.context.tables.users)
        .where(eq(deps.context.tables.users.id, userId));
      if (!user) return;
      await queueMail(deps, tx, {
        userId,
        kind: "password-changed",
        dedupeKey: `password-changed:${sessionId}:${deps.context.clock.now()}`,
        recipient: user.email,
        content: passwordChangedMail(mailContext(deps), {
          how: "changed",
          forgotLink: pageLink(deps, "forgotPassword"),
        }),
      });
    },
  };
}
