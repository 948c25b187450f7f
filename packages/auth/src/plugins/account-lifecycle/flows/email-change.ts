import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { isUniqueViolation } from "../../../db.js";
import { ProblemError, validationError } from "../../../http/problem.js";
import { findUserByEmail, findUserById, normalizeEmail } from "../../../users/user-store.js";
import { mailBudget, mailContext, pageLink, queueMail, type LifecycleDeps } from "../deps.js";
import { confirmEmailChangeMail } from "../templates/confirm-email-change.js";
import { emailChangeNoticeMail } from "../templates/email-change-notice.js";
import { emailChangedMail } from "../templates/email-changed.js";
import { bindings } from "../tokens.js";
import { badLink } from "./problems.js";

const taken = () =>
  new ProblemError({ status: 409, detail: "An account with this email already exists." });

/**
 * `POST /email/change`: re-authenticates with the password, then mails a confirmation link to
 * the new address and a notice to the current one. Nothing changes until the link is opened.
 */
export async function requestEmailChange(
  deps: LifecycleDeps,
  c: Context,
  current: { userId: string; sessionId: string },
  input: { newEmail: string; password: string },
) {
  const { db, tables, passwords, clock } = deps.context;
  passwords.assertCapacity();
  const user = await findUserById(db, tables, current.userId);
  if (!user) throw new ProblemError({ status: 401, detail: "Sign in first." });
  const newEmail = normalizeEmail(input.newEmail);
  if (newEmail === user.email) {
    throw validationError([{ pointer: "/newEmail", detail: "is already your email address" }]);
  }
  await passwords.verifyCurrent(c, user, input.password, { pointer: "/password" });
  if (await findUserByEmail(db, tables, newEmail)) throw taken();
  await deps.limits.mailRequestsPerClient.consume(deps.context.limiterClient(c));
  await deps.limits.mailsPerAddress.consume(mailBudget("change", newEmail));
  // And per account: one account cannot mail any number of addresses.
  await deps.limits.mailsPerAddress.consume(mailBudget("change-from", user.id));
  const seconds = deps.options.tokenLifetimes.changeEmailSeconds;
  await db.transaction(async (tx) => {
    const { id, token } = await deps.tokens.issue(tx, {
      userId: user.id,
      purpose: "change_email",
      boundTo: bindings.emailChange(user.email, user.passwordHash),
      newEmail,
      ttlSeconds: seconds,
      nowMs: clock.now(),
    });
    await queueMail(deps, tx, {
      userId: user.id,
      kind: "confirm-email-change",
      dedupeKey: `confirm-email-change:${id}`,
      recipient: newEmail,
      content: confirmEmailChangeMail(mailContext(deps), {
        link: pageLink(deps, "confirmEmailChange", token),
        minutes: Math.round(seconds / 60),
        newEmail,
      }),
    });
    await queueMail(deps, tx, {
      userId: user.id,
      kind: "email-change-notice",
      dedupeKey: `email-change-notice:${id}`,
      recipient: user.email,
      content: emailChangeNoticeMail(mailContext(deps), {
        newEmail,
        signInLink: pageLink(deps, "account"),
      }),
    });
    await deps.context.emit(
      "accountChanged",
      {
        userId: user.id,
        change: "email_change_requested",
        sessionId: current.sessionId,
        client: deps.context.clientInfo(c),
      },
      tx,
    );
  });
}

/**
 * `POST /email/change/confirm`: the account moves to the new address, verified (the link came
 * to it). Every other link of the account dies with the old address.
 */
export async function confirmEmailChange(deps: LifecycleDeps, c: Context, token: string) {
  const { db, tables, clock } = deps.context;
  await deps.limits.tokenAttemptsPerClient.consume(deps.context.limiterClient(c));
  try {
    await db.transaction(async (tx) => {
      const now = clock.now();
      const row = await deps.tokens.redeem(tx, "change_email", token, now);
      const user = row && (await findUserById(tx, tables, row.userId));
      const bound = user && bindings.emailChange(user.email, user.passwordHash);
      if (!row || !row.newEmail || !user || user.disabledAt || row.boundTo !== bound) {
        throw badLink("email change");
      }
      await tx
        .update(tables.users)
        .set({ email: row.newEmail, emailVerifiedAt: new Date(now), updatedAt: new Date(now) })
        .where(eq(tables.users.id, user.id));
      await deps.tokens.revokeAll(tx, user.id);
      // The old address hears of it: if the change was not its owner's, they know at once.
      await queueMail(deps, tx, {
        userId: user.id,
        kind: "email-changed",
        dedupeKey: `email-changed:${row.id}`,
        recipient: user.email,
        content: emailChangedMail(mailContext(deps), {
          newEmail: row.newEmail,
          forgotLink: pageLink(deps, "forgotPassword"),
        }),
      });
      await deps.context.emit(
        "accountChanged",
        {
          userId: user.id,
          change: "email_changed",
          sessionId: null,
          client: deps.context.clientInfo(c),
        },
        tx,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken();
    throw error;
  }
}
