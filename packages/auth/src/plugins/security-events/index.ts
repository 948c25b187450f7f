import { and, asc, desc, eq, gt, isNull } from "drizzle-orm";
import { Hono } from "hono";
import type { AuthEnv } from "../../authenticator.js";
import type { Db, Tx } from "../../db.js";
import { describeDevice } from "../../sessions/device.js";
import type { AuthHookEvents, AuthHooks, ClientInfo, SessionRevocationReason } from "../hooks.js";
import { assertKnownOptions } from "../options.js";
import { definePlugin, type PluginContext } from "../plugin.js";
import { SECURITY_EVENTS_MIGRATIONS } from "./migrations.js";
import { describeActivityRoute as docs } from "./openapi.js";
import { eventWindowTask, perAccountCapTask } from "./retention.js";
import { securityEventsTable, type SecurityEventType, type SecurityEventsTable } from "./table.js";

export { SECURITY_EVENT_TYPES, securityEventsTable, type SecurityEventType } from "./table.js";

export type SecurityEventsOptions = {
  /** How many events `GET /activity` lists, newest first (default 50, at most 500). */
  activityLimit?: number;
  /**
   * Days an event is kept (90), events of unknown emails (no user) included; the retention
   * job (`createAuth`'s `retention` option) deletes older ones.
   */
  retentionDays?: number;
  /**
   * The newest events kept per account (1000; at least `activityLimit`): an account flooded
   * with events (a botnet guessing its password) costs bounded space.
   */
  maxEventsPerAccount?: number;
};

/** The revocations a user asked for show in their activity; the others are told elsewhere. */
const SHOWN_REVOCATIONS: Partial<Record<SessionRevocationReason, SecurityEventType>> = {
  signed_out: "signed_out",
  session_revoked: "session_revoked",
  signed_out_others: "signed_out_others",
  signed_out_everywhere: "signed_out_everywhere",
  token_reuse_detected: "token_reuse_detected",
  admin_signed_out: "signed_out_by_admin",
  admin_revoked_session: "session_revoked_by_admin",
};

/** Revocations of one chosen session: their event names the device that was logged out. */
const ONE_DEVICE_REVOCATIONS: ReadonlySet<SessionRevocationReason> = new Set([
  "session_revoked",
  "admin_revoked_session",
]);

/**
 * A throttled client keeps getting 429 without any new information for the owner: one
 * `sign_in_throttled` per account and address in this window is enough, and a stranger
 * hammering a known email cannot push the owner's real events out of their activity list.
 */
const THROTTLED_EVENT_WINDOW_MS = 15 * 60 * 1000;

type EventRow = {
  type: SecurityEventType;
  userId: string | null;
  sessionId: string | null;
  client: ClientInfo | null;
  actorId?: string | null;
  detail?: Readonly<Record<string, string>> | undefined;
};

/** What an administrative change of a user is called in the user's activity. */
function adminChangeType(change: AuthHookEvents["userUpdated"]["change"]): SecurityEventType {
  if ("role" in change) return "role_changed";
  return change.disabled ? "account_disabled" : "account_enabled";
}

/**
 * The account's security log: sign-ups, sign-ins, failures, sign-outs, password changes and
 * stolen-token detections, written in the transaction of the change itself, and
 * `GET <auth path>/activity` listing a user's newest events for their devices page. The
 * retention job keeps `retentionDays` of them, at most `maxEventsPerAccount` per account.
 *
 * @example
 * const auth = await createAuth({ db, secret, plugins: [securityEvents()] });
 */
export function securityEvents(options: SecurityEventsOptions = {}) {
  assertKnownOptions("security-events", options, [
    "activityLimit",
    "retentionDays",
    "maxEventsPerAccount",
  ]);
  const limit = options.activityLimit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) {
    throw new RangeError("securityEvents({ activityLimit }) must be an integer from 1 to 500");
  }
  const keepDays = options.retentionDays ?? 90;
  if (!Number.isInteger(keepDays) || keepDays < 1 || keepDays > 3650) {
    throw new RangeError("securityEvents({ retentionDays }) must be an integer from 1 to 3650");
  }
  const keepPerAccount = options.maxEventsPerAccount ?? 1000;
  if (!Number.isInteger(keepPerAccount) || keepPerAccount < limit || keepPerAccount > 1_000_000) {
    throw new RangeError(
      `securityEvents({ maxEventsPerAccount }) must be an integer from activityLimit (${limit}) to 1000000`,
    );
  }
  return definePlugin({
    id: "security-events",
    migrations: SECURITY_EVENTS_MIGRATIONS,
    tables: (name, core) => ({ securityEvents: securityEventsTable(name, core) }),
    setup: (context) => {
      const table = securityEventsTable(context.tableName, context.tables);
      return {
        hooks: recordingHooks(context, table),
        routes: activityRoutes(context, table, limit),
        retention: [
          eventWindowTask(table, keepDays),
          perAccountCapTask(table, context.tables, keepPerAccount),
        ],
        exportData: (db, userId) => exportEvents(db, table, userId),
      };
    },
  });
}

function recordingHooks(context: PluginContext, table: SecurityEventsTable): AuthHooks {
  const record = async (db: Db | Tx, event: EventRow) => {
    await db.insert(table).values({
      type: event.type,
      userId: event.userId,
      sessionId: event.sessionId,
      actorId: event.actorId ?? null,
      detail: event.detail ? { ...event.detail } : null,
      ip: event.client?.ip ?? null,
      userAgent: event.client?.userAgent?.slice(0, 512) ?? null,
      createdAt: new Date(context.clock.now()),
    });
  };
  // The revoked session's row is still there (revoked, not deleted): its user agent says which
  // device it was. Read on a single-device revocation only, never on a request's path.
  const revokedDevice = async (
    db: Db | Tx,
    reason: SessionRevocationReason,
    sessionIds: readonly string[],
  ): Promise<{ device: string } | undefined> => {
    const [sessionId] = sessionIds;
    if (!ONE_DEVICE_REVOCATIONS.has(reason) || sessionIds.length !== 1 || !sessionId) return;
    const { sessions } = context.tables;
    const [row] = await db
      .select({ userAgent: sessions.userAgent })
      .from(sessions)
      .where(eq(sessions.id, sessionId));
    return row ? { device: describeDevice(row.userAgent).label } : undefined;
  };
  const userIs = (userId: string | null) =>
    userId === null ? isNull(table.userId) : eq(table.userId, userId);
  const ipIs = (ip: string | undefined) => (ip === undefined ? isNull(table.ip) : eq(table.ip, ip));
  const recentlyThrottled = async (db: Db | Tx, userId: string | null, ip: string | undefined) => {
    const since = new Date(context.clock.now() - THROTTLED_EVENT_WINDOW_MS);
    const [row] = await db
      .select({ id: table.id })
      .from(table)
      .where(
        and(
          userIs(userId),
          eq(table.type, "sign_in_throttled"),
          ipIs(ip),
          gt(table.createdAt, since),
        ),
      )
      .limit(1);
    return row !== undefined;
  };
  return {
    signedUp: (e, tx) => record(tx, { type: "signed_up", ...e }),
    signedIn: (e, tx) =>
      record(tx, { type: "signed_in", ...e, detail: { methods: e.methods.join("+") } }),
    // An unknown email is recorded too (without a user): the same write on both paths keeps
    // the timing from telling which emails have accounts.
    signInFailed: async (e, tx) => {
      const throttled = e.reason === "throttled";
      if (throttled && (await recentlyThrottled(tx, e.userId, e.client.ip))) return;
      await record(tx, {
        type: throttled ? "sign_in_throttled" : "sign_in_failed",
        userId: e.userId,
        sessionId: null,
        client: e.client,
      });
    },
    sessionsRevoked: async (e, tx) => {
      const type = SHOWN_REVOCATIONS[e.reason];
      if (!type) return;
      const detail = await revokedDevice(tx, e.reason, e.sessionIds);
      // An administrator's address is theirs: the user's list says "an administrator".
      if (e.admin) {
        // Signed out of nothing (no live session): nothing for the user to read about.
        if (e.sessionIds.length === 0) return;
        const sessionId = e.reason === "admin_revoked_session" ? (e.sessionIds[0] ?? null) : null;
        const actorId = e.admin.userId;
        await record(tx, { type, userId: e.userId, sessionId, client: null, actorId, detail });
        return;
      }
      const sessionId =
        e.reason === "token_reuse_detected" ? (e.sessionIds[0] ?? null) : e.actorSessionId;
      await record(tx, { type, userId: e.userId, sessionId, client: e.client, detail });
    },
    userUpdated: (e, tx) =>
      record(tx, {
        type: adminChangeType(e.change),
        userId: e.userId,
        sessionId: null,
        client: null,
        actorId: e.actor.userId,
      }),
    passwordChanged: (e, tx) => record(tx, { type: "password_changed", ...e }),
    accountChanged: (e, tx) => record(tx, { type: e.change, ...e }),
  };
}

/** Every event the account still has, oldest first, for its owner's data export. */
async function exportEvents(db: Db | Tx, table: SecurityEventsTable, userId: string) {
  const rows = await db
    .select()
    .from(table)
    .where(eq(table.userId, userId))
    .orderBy(asc(table.createdAt), asc(table.id));
  return rows.map((row) => ({
    type: row.type,
    createdAt: row.createdAt.toISOString(),
    ip: row.ip,
    userAgent: row.userAgent,
    ...(row.detail ? { detail: row.detail } : {}),
  }));
}

function activityRoutes(context: PluginContext, table: SecurityEventsTable, limit: number) {
  return new Hono<AuthEnv>().get("/activity", docs, context.requireAuth, async (c) => {
    const auth = c.get("auth");
    const rows = await context.db
      .select()
      .from(table)
      .where(eq(table.userId, auth.userId))
      .orderBy(desc(table.createdAt), desc(table.id))
      .limit(limit);
    const events = rows.map((row) => ({
      id: String(row.id),
      type: row.type,
      createdAt: row.createdAt.toISOString(),
      ip: row.ip,
      device: describeDevice(row.userAgent),
      thisDevice: row.sessionId !== null && row.sessionId === auth.sessionId,
      ...(row.detail ? { detail: row.detail } : {}),
    }));
    return c.json({ events });
  });
}
