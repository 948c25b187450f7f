import { asc, eq } from "drizzle-orm";
import { ProblemError } from "../../../http/problem.js";
import { describeDevice } from "../../../sessions/device.js";
import { findUserById } from "../../../users/user-store.js";
import type { LifecycleDeps } from "../deps.js";

/**
 * `GET /me/export`: everything the service holds about the user, as JSON — profile, sessions
 * (live and ended), every plugin's data (security events…) and the host's sections (to-dos…).
 * No hash, token or secret.
 */
export async function exportAccount(deps: LifecycleDeps, userId: string) {
  const { db, tables, clock } = deps.context;
  return db.transaction(async (tx) => {
    const user = await findUserById(tx, tables, userId);
    if (!user) throw new ProblemError({ status: 401, detail: "Sign in first." });
    const sessions = await tx
      .select()
      .from(tables.sessions)
      .where(eq(tables.sessions.userId, userId))
      .orderBy(asc(tables.sessions.createdAt));
    const host: Record<string, unknown> = {};
    for (const [section, read] of Object.entries(deps.options.exportData)) {
      host[section] = await read(tx, userId);
    }
    return {
      exportedAt: new Date(clock.now()).toISOString(),
      user: {
        ...deps.context.publicUser(user),
        emailVerifiedAt: user.emailVerifiedAt?.toISOString() ?? null,
        updatedAt: user.updatedAt.toISOString(),
      },
      sessions: sessions.map((session) => ({
        id: session.id,
        createdAt: session.createdAt.toISOString(),
        lastSeenAt: session.lastSeenAt.toISOString(),
        expiresAt: session.expiresAt.toISOString(),
        revokedAt: session.revokedAt?.toISOString() ?? null,
        device: describeDevice(session.userAgent),
        userAgent: session.userAgent,
        ip: session.ip,
      })),
      ...(await deps.context.exportUserData(tx, userId)),
      ...host,
    };
  });
}
