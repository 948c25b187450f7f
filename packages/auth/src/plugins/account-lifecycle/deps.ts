import type { KeyedLimit } from "../../abuse/abuse-limits.js";
import type { Db, Tx } from "../../db.js";
import type { PluginContext } from "../plugin.js";
import type { Outbox, QueuedMail } from "./mail/outbox.js";
import type { MailWorker } from "./mail/worker.js";
import type { ResolvedOptions } from "./options.js";
import type { AccountLifecycleTables } from "./tables.js";
import { digest, type AccountTokens } from "./tokens.js";

/** What every flow of the plugin shares; built once in `setup`. */
export type LifecycleDeps = {
  context: PluginContext;
  options: ResolvedOptions;
  tables: AccountLifecycleTables;
  tokens: AccountTokens;
  outbox: Outbox;
  worker: MailWorker;
  limits: {
    mailsPerAddress: KeyedLimit;
    mailRequestsPerClient: KeyedLimit;
    tokenAttemptsPerClient: KeyedLimit;
    /** Data exports per account (each reads everything the account has). */
    exportsPerAccount: KeyedLimit;
  };
};

/** A link to one of the SPA's pages on the configured public origin. */
export function pageLink(
  deps: Pick<LifecycleDeps, "options">,
  page: keyof ResolvedOptions["pages"],
  token?: string,
): string {
  const url = new URL(deps.options.pages[page], deps.options.publicOrigin);
  if (token !== undefined) url.searchParams.set("token", token);
  return url.href;
}

/** Queues a message in `tx`, and has the worker look soon after (by then it has committed). */
export async function queueMail(deps: LifecycleDeps, tx: Db | Tx, mail: QueuedMail): Promise<void> {
  const queued = await deps.outbox.enqueue(tx, mail, deps.context.clock.now());
  if (queued) setTimeout(() => deps.worker.nudge(), 20).unref?.();
}

/**
 * The key of a per-address mail budget: one per purpose, so requests of one kind (anonymous
 * verification resends) cannot spend the budget of another (the owner's password reset);
 * the address only as a digest, so the limiter store holds no email.
 */
export const mailBudget = (purpose: "reset" | "verify" | "change" | "change-from", who: string) =>
  `${purpose}:${digest(who)}`;

export const mailContext = (deps: Pick<LifecycleDeps, "options">) => ({
  productName: deps.options.productName,
});
