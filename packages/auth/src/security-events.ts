import { desc, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { Db, Tx } from "./db";
import type { AuthRuntime } from "./runtime";
import { securityEvents, type SecurityEventType } from "./schema";

export type ClientInfo = { ip: string | undefined; userAgent: string | undefined };

export function clientInfo(runtime: AuthRuntime, c: Context): ClientInfo {
  return { ip: runtime.getClientIp(c), userAgent: c.req.header("User-Agent")?.slice(0, 512) };
}

export async function recordSecurityEvent(
  db: Db | Tx,
  event: {
    type: SecurityEventType;
    userId: string | null;
    sessionId?: string | null;
    client: ClientInfo;
    nowMs: number;
  },
): Promise<void> {
  await db.insert(securityEvents).values({
    type: event.type,
    userId: event.userId,
    sessionId: event.sessionId ?? null,
    ip: event.client.ip ?? null,
    userAgent: event.client.userAgent ?? null,
    createdAt: new Date(event.nowMs),
  });
}

/** The newest events of one account, for its owner. */
export function recentSecurityEvents(db: Db, userId: string, limit = 50) {
  return db
    .select()
    .from(securityEvents)
    .where(eq(securityEvents.userId, userId))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(limit);
}
