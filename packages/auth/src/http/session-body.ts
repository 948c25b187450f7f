import type { Context, TypedResponse } from "hono";
import type { AccessClaims } from "../tokens/access-token.js";

/** What `GET /session` tells the browser about its session. */
export type SessionView = {
  userId: string;
  sessionId: string;
  role: string;
  /** ISO 8601. */
  issuedAt: string;
  /** ISO 8601. */
  expiresAt: string;
  /** ISO 8601: when the user last proved who they are in this session (sign-in or step-up). */
  authTime: string;
  /** Plugins' claims, when the token carries any. */
  claims?: Readonly<Record<string, unknown>>;
};

type SessionResponse = Response & TypedResponse<{ session: SessionView }, 200, "json">;

/**
 * The serialised body, once per verified token: a token's claims never change, and the hot
 * path hands back the same claims object for every request carrying that token. Building
 * it anew cost two `Date#toISOString` calls and a `JSON.stringify` per request, a tenth of
 * the hot path (docs/decisions/004-hot-path-allocations.md). Weakly held: a claims object
 * the verified-token cache drops takes its body with it.
 */
const bodies = new WeakMap<AccessClaims, string>();

function sessionBody(claims: AccessClaims): string {
  let body = bodies.get(claims);
  if (body === undefined) {
    const session: SessionView = {
      userId: claims.userId,
      sessionId: claims.sessionId,
      role: claims.role,
      issuedAt: new Date(claims.issuedAt * 1000).toISOString(),
      expiresAt: new Date(claims.expiresAt * 1000).toISOString(),
      authTime: new Date(claims.authTime * 1000).toISOString(),
      ...(claims.claims ? { claims: claims.claims } : {}),
    };
    body = JSON.stringify({ session });
    bodies.set(claims, body);
  }
  return body;
}

/** `c.json({ session })`, typed the same for Hono's client, from the cached body. */
export function sessionResponse(c: Context, claims: AccessClaims): SessionResponse {
  return c.body(sessionBody(claims), 200, {
    "Content-Type": "application/json",
  }) as unknown as SessionResponse;
}
