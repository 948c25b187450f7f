import type { Context } from "hono";
import { ProblemError } from "../../http/problem.js";
import { isLiveSessionOf } from "../../sessions/session-store.js";
import { COMPACT_JWS } from "../../tokens/access-token.js";
import type { ApiKeysDeps } from "./deps.js";
import { hashSecret, isWellFormedSecret, publicKeyId } from "./format.js";
import { INTROSPECT_SCOPE } from "./options.js";

/** RFC 7662 §2.2: what an introspection answers. */
export type Introspection =
  | { active: false }
  | {
      active: true;
      sub: string;
      sid: string;
      iat: number;
      exp: number;
      iss: string;
      aud: string;
      token_type: "Bearer";
      auth_time?: number;
    }
  | { active: true; token_type: "api_key"; sub: string; sid: string; scope: string; exp?: number };

const INACTIVE: Introspection = { active: false };
const MAX_TOKEN_LENGTH = 8192;

/** 401 of an introspection without an API key (a session may not introspect). */
export const introspectionNeedsKey = () =>
  new ProblemError({
    status: 401,
    detail: `Token introspection needs an API key with the "${INTROSPECT_SCOPE}" scope.`,
    headers: { "WWW-Authenticate": `Bearer scope="${INTROSPECT_SCOPE}"` },
  });

/** The form body: `token` (required) and `token_type_hint` (optional, only a hint). */
export async function introspectionForm(c: Context): Promise<string> {
  const type = c.req.header("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") {
    throw new ProblemError({
      status: 415,
      detail: "Send the token as application/x-www-form-urlencoded (RFC 7662).",
    });
  }
  const form = new URLSearchParams(await c.req.text());
  const token = form.getAll("token");
  if (token.length !== 1 || token[0] === "" || token[0]!.length > MAX_TOKEN_LENGTH) {
    throw new ProblemError({
      status: 400,
      type: "/problems/invalid-request",
      title: "Invalid request",
      detail: "Send exactly one non-empty `token` (at most 8192 characters).",
    });
  }
  return token[0]!;
}

/**
 * Whether `token` is valid right now, revocation-accurate: an access JWT's session row must
 * be live in the database (not only absent from this process's revocation list), an API
 * key's row must exist, be unexpired and its owner enabled. Everything else: inactive.
 */
export async function introspect(deps: ApiKeysDeps, token: string): Promise<Introspection> {
  const { context, store, options } = deps;
  const now = context.clock.now();
  if (COMPACT_JWS.test(token)) {
    const claims = await context.accessTokens.verify(token);
    if (!claims || context.revocations.isStale(claims)) return INACTIVE;
    const { userId, sessionId } = claims;
    const live = await isLiveSessionOf(
      context.db,
      context.tables,
      userId,
      sessionId,
      now,
      context.sessionLifetimes,
    );
    if (!live) return INACTIVE;
    return {
      active: true,
      sub: userId,
      sid: sessionId,
      iat: claims.issuedAt,
      exp: claims.expiresAt,
      iss: context.accessTokens.issuer,
      aud: context.accessTokens.audience,
      token_type: "Bearer",
      ...(claims.authTime > 0 ? { auth_time: claims.authTime } : {}),
    };
  }
  if (!isWellFormedSecret(options.prefix, token)) return INACTIVE;
  const key = await store.findActive(context.db, hashSecret(token), now);
  if (!key) return INACTIVE;
  return {
    active: true,
    token_type: "api_key",
    sub: key.userId,
    sid: publicKeyId(key.id),
    scope: key.scopes.join(" "),
    ...(key.expiresAt ? { exp: Math.floor(key.expiresAt.getTime() / 1000) } : {}),
  };
}
