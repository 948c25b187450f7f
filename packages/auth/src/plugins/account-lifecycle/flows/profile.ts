import type { Context } from "hono";
import { eq } from "drizzle-orm";
import { ProblemError } from "../../../http/problem.js";
import type { LifecycleDeps } from "../deps.js";

/** `PATCH /me`: the profile's name (null clears it). */
export async function updateProfile(
  deps: LifecycleDeps,
  c: Context,
  current: { userId: string; sessionId: string },
  input: { name: string | null },
) {
  const { db, tables, clock } = deps.context;
  const name = input.name?.trim() || null;
  const user = await db.transaction(async (tx) => {
    const now = new Date(clock.now());
    const [row] = await tx
      .update(tables.users)
      .set({ name, updatedAt: now })
      .where(eq(tables.users.id, current.userId))
      .returning();
    if (!row) throw new ProblemError({ status: 401, detail: "Sign in first." });
    await deps.context.emit(
      "accountChanged",
      {
        userId: row.id,
        change: "profile_updated",
        sessionId: current.sessionId,
        client: deps.context.clientInfo(c),
      },
      tx,
    );
    return row;
  });
  return deps.context.publicUser(user);
}
