import type { Context } from "hono";
import type { AuthState } from "../../authenticator.js";
import { lockUser } from "../../users/user-store.js";
import type { ApiKeysDeps } from "./deps.js";
import { generateSecret, hashSecret, shownPrefix } from "./format.js";
import { apiKeyLimit } from "./problems.js";
import { apiKeyView, type ApiKeyView } from "./store.js";

export type NewKey = { name: string; scopes: string[]; expiresAt?: string | null | undefined };

/**
 * Creates a key for the signed-in user: the cap is counted with the user's row locked (two
 * creations wait for each other), the hash stored, the event recorded; the secret is
 * returned once and kept nowhere.
 */
export async function createKey(
  deps: ApiKeysDeps,
  c: Context,
  auth: AuthState,
  body: NewKey,
): Promise<{ apiKey: ApiKeyView; secret: string }> {
  const { context, options, store } = deps;
  const secret = generateSecret(options.prefix);
  const now = context.clock.now();
  const row = await context.db.transaction(async (tx) => {
    await lockUser(tx, context.tables, auth.userId);
    if ((await store.countOf(tx, auth.userId)) >= options.maxKeysPerUser) {
      throw apiKeyLimit(options.maxKeysPerUser);
    }
    const inserted = await store.insert(tx, {
      userId: auth.userId,
      name: body.name,
      prefix: shownPrefix(options.prefix, secret),
      secretHash: hashSecret(secret),
      scopes: body.scopes,
      createdAt: new Date(now),
      lastUsedAt: null,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    });
    await context.emit(
      "accountChanged",
      {
        userId: auth.userId,
        change: "api_key_created",
        sessionId: auth.sessionId,
        client: context.clientInfo(c),
        detail: { name: inserted.name, prefix: inserted.prefix, scopes: body.scopes.join(" ") },
      },
      tx,
    );
    return inserted;
  });
  return { apiKey: apiKeyView(row), secret };
}

/**
 * Revokes one of the user's keys: the row is deleted and a session-scope revocation event
 * (subject: the key id) commits with it, so every process's cache drops the key before its
 * next request. False when the user has no such key.
 */
export async function revokeKey(
  deps: ApiKeysDeps,
  c: Context,
  auth: AuthState,
  rowId: string,
): Promise<boolean> {
  const { context, store } = deps;
  const { removed } = await context.revocations.revoke(async (tx, nowMs) => {
    const row = await store.remove(tx, auth.userId, rowId);
    if (!row) return { removed: false, events: [] };
    await context.emit(
      "accountChanged",
      {
        userId: auth.userId,
        change: "api_key_revoked",
        sessionId: auth.sessionId,
        client: context.clientInfo(c),
        detail: { name: row.name, prefix: row.prefix },
      },
      tx,
    );
    return {
      removed: true,
      events: [{ scope: "session" as const, subjectId: rowId, notBefore: nowMs }],
    };
  });
  if (removed) deps.verifier.forget(rowId);
  return removed;
}
