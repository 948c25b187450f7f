import { eq } from "drizzle-orm";
import type { Db, Tx } from "../../../db.js";
import type { ClientInfo } from "../../hooks.js";
import { describeDevice } from "../../../sessions/device.js";
import { findUserById } from "../../../users/user-store.js";
import { mailContext, pageLink, queueMail, type LifecycleDeps } from "../deps.js";
import { newSignInMail } from "../templates/new-sign-in.js";
import { digest } from "../tokens.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const alertDay = (deps: LifecycleDeps) => Math.floor(deps.context.clock.now() / DAY_MS);

/** Whether the user wants "new sign-in" mail (the host's default until they choose). */
export async function newSignInAlertsWanted(
  deps: LifecycleDeps,
  db: Db | Tx,
  userId: string,
): Promise<boolean> {
  const table = deps.tables.preferences;
  const [row] = await db.select().from(table).where(eq(table.userId, userId));
  return row?.newSignInAlerts ?? deps.options.newSignInAlerts;
}

export async function setNewSignInAlerts(
  deps: LifecycleDeps,
  userId: string,
  wanted: boolean,
): Promise<void> {
  const table = deps.tables.preferences;
  await deps.context.db
    .insert(table)
    .values({ userId, newSignInAlerts: wanted })
    .onConflictDoUpdate({ target: table.userId, set: { newSignInAlerts: wanted } });
}

/** The `signedIn` hook's half: a browser new to the account signed in → a mail, if wanted. */
export async function alertNewSignIn(
  deps: LifecycleDeps,
  tx: Db | Tx,
  event: { userId: string; sessionId: string; client: ClientInfo },
): Promise<void> {
  if (!(await newSignInAlertsWanted(deps, tx, event.userId))) return;
  const user = await findUserById(tx, deps.context.tables, event.userId);
  if (!user) return;
  const device = describeDevice(event.client.userAgent ?? null);
  await queueMail(deps, tx, {
    userId: user.id,
    kind: "new-sign-in",
    // One alert per browser and address a day: a browser that drops its cookies (or a flood
    // of sign-ins from one client) does not mail the owner at every sign-in.
    dedupeKey: `new-sign-in:${user.id}:${alertDay(deps)}:${digest(`${event.client.ip ?? ""}|${event.client.userAgent ?? ""}`)}`,
    recipient: user.email,
    content: newSignInMail(mailContext(deps), {
      device: device.label,
      ip: event.client.ip ?? null,
      when: new Date(deps.context.clock.now()),
      devicesLink: pageLink(deps, "devices"),
    }),
  });
}
