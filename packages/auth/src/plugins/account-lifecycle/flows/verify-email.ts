import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { randomUUID } from "node:crypto";
import type { Db, Tx } from "../../../db.js";
import type { MailPreparer } from "../mail/worker.js";
import { ProblemError } from "../../../http/problem.js";
import type { UserRow } from "../../../schema/core-tables.js";
import { findUserById, normalizeEmail } from "../../../users/user-store.js";
import { verifyEmailMail } from "../templates/verify-email.js";
import { mailBudget, mailContext, pageLink, queueMail, type LifecycleDeps } from "../deps.js";
import { bindings } from "../tokens.js";
import { badLink } from "./problems.js";

/** A verification token for the user's current email, and its message. */
async function verificationToken(
  deps: LifecycleDeps,
  tx: Db | Tx,
  user: Pick<UserRow, "id" | "email">,
) {
  const seconds = deps.options.tokenLifetimes.verifyEmailSeconds;
  const { id, token } = await deps.tokens.issue(tx, {
    userId: user.id,
    purpose: "verify_email",
    boundTo: bindings.email(user.email),
    ttlSeconds: seconds,
    nowMs: deps.context.clock.now(),
  });
  const content = verifyEmailMail(mailContext(deps), {
    link: pageLink(deps, "verifyEmail", token),
    hours: Math.round(seconds / 3600),
  });
  return { id, content };
}

/** Issues a verification token for the user's current email and queues its mail, in `tx`. */
export async function queueVerificationMail(
  deps: LifecycleDeps,
  tx: Db | Tx,
  user: Pick<UserRow, "id" | "email">,
): Promise<void> {
  const { id, content } = await verificationToken(deps, tx, user);
  await queueMail(deps, tx, {
    userId: user.id,
    kind: "verify-email",
    dedupeKey: `verify-email:${id}`,
    recipient: user.email,
    content,
  });
}

/** `POST /email/verify/request`, signed in: a new link, unless the address is verified. */
export async function requestVerification(deps: LifecycleDeps, c: Context, userId: string) {
  const { db, tables } = deps.context;
  const user = await findUserById(db, tables, userId);
  if (!user) throw new ProblemError({ status: 401, detail: "Sign in first." });
  if (user.emailVerifiedAt) {
    throw new ProblemError({ status: 409, detail: "Your email address is already verified." });
  }
  await deps.limits.mailRequestsPerClient.consume(deps.context.limiterClient(c));
  await deps.limits.mailsPerAddress.consume(mailBudget("verify", user.email));
  await db.transaction((tx) => queueVerificationMail(deps, tx, user));
}

/** `POST /email/verify`: the token's address, if it is still the account's, is verified. */
export async function verifyEmail(deps: LifecycleDeps, c: Context, token: string) {
  const { db, tables, clock } = deps.context;
  await deps.limits.tokenAttemptsPerClient.consume(deps.context.limiterClient(c));
  await db.transaction(async (tx) => {
    const now = clock.now();
    const row = await deps.tokens.redeem(tx, "verify_email", token, now);
    const user = row && (await findUserById(tx, tables, row.userId));
    // A disabled account's links wait (the transaction rolls the redemption back).
    if (!row || !user || user.disabledAt || row.boundTo !== bindings.email(user.email)) {
      throw badLink("verification");
    }
    if (!user.emailVerifiedAt) {
      await tx
        .update(tables.users)
        .set({ emailVerifiedAt: new Date(now), updatedAt: new Date(now) })
        .where(eq(tables.users.id, user.id));
      await deps.context.emit(
        "accountChanged",
        {
          userId: user.id,
          change: "email_verified",
          sessionId: null,
          client: deps.context.clientInfo(c),
        },
        tx,
      );
    }
  });
}

export const VERIFY_REQUEST_KIND = "verify-email-request";

/**
 * `POST /email/verify/request` signed out (a host that requires verified emails before
 * sign-in): the same work and answer whatever the email; the worker decides whether an
 * unverified account has it ({@link verificationMailPreparer}).
 */
export async function requestVerificationFor(deps: LifecycleDeps, c: Context, email: string) {
  const address = normalizeEmail(email);
  await deps.limits.mailRequestsPerClient.consume(deps.context.limiterClient(c));
  await deps.limits.mailsPerAddress.consume(mailBudget("verify", address));
  await deps.context.db.transaction((tx) =>
    queueMail(deps, tx, {
      userId: null,
      kind: VERIFY_REQUEST_KIND,
      dedupeKey: `${VERIFY_REQUEST_KIND}:${randomUUID()}`,
      recipient: address,
      content: undefined,
    }),
  );
}

/** The worker's half of a signed-out request: a link only for an unverified account. */
export function verificationMailPreparer(deps: LifecycleDeps): MailPreparer {
  const { tables } = deps.context;
  return async (tx, row) => {
    const [user] = await tx
      .select()
      .from(tables.users)
      .where(eq(tables.users.email, row.recipient));
    if (!user || user.disabledAt || user.emailVerifiedAt) return undefined;
    const { content } = await verificationToken(deps, tx, user);
    return { userId: user.id, content };
  };
}
