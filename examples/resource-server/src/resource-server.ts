import { Hono } from "hono";
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from "jose";

export type ResourceServerOptions = {
  /** The auth server's key set, e.g. `https://tidy.example/.well-known/jwks.json`. */
  jwksUrl: URL;
  /** The algorithm the auth server signs with (`AUTH_SIGNING_ALG`): exactly one, pinned. */
  algorithm: "EdDSA" | "ES256";
  /** The tokens' `iss` and `aud` (the auth server's `issuer` and `audience`). */
  issuer: string;
  audience: string;
  /** The time in ms (tests inject one); default `Date.now`. */
  now?: () => number;
};

/** What a verified access token tells this server: who, which session, which role, until when. */
export type Caller = { userId: string; sessionId: string; role: string; expiresAt: number };

/**
 * A resource server that trusts hybrid-auth access tokens without a database and without
 * calling the auth server per request: `Authorization: Bearer <access token>`, verified against
 * the auth server's JWKS (fetched once, cached, refetched for an unknown `kid`). Pinned: one
 * algorithm, the issuer, the audience and `typ: at+jwt`. It cannot see a revocation: a signed-out
 * session's token stays valid here until it expires (see docs/scaling.md).
 *
 * @example
 * const app = createResourceServer({
 *   jwksUrl: new URL("https://tidy.example/.well-known/jwks.json"),
 *   algorithm: "EdDSA",
 *   issuer: "hybrid-auth",
 *   audience: "hybrid-auth",
 * });
 * serve({ fetch: app.fetch, port: 4000 });
 */
export function createResourceServer(options: ResourceServerOptions) {
  const keys = createRemoteJWKSet(options.jwksUrl);
  const now = options.now ?? Date.now;

  async function verify(token: string): Promise<Caller | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        algorithms: [options.algorithm],
        issuer: options.issuer,
        audience: options.audience,
        typ: "at+jwt",
        currentDate: new Date(now()),
        requiredClaims: ["sub", "sid", "exp"],
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
    const { sub, sid, role, exp } = payload;
    if (typeof sid !== "string" || typeof role !== "string") return undefined;
    return { userId: sub!, sessionId: sid, role, expiresAt: exp! };
  }

  return new Hono<{ Variables: { caller: Caller } }>()
    .use("/api/*", async (c, next) => {
      const match = /^Bearer ([A-Za-z0-9._-]{1,4096})$/.exec(c.req.header("Authorization") ?? "");
      const caller = match ? await verify(match[1]!) : undefined;
      if (!caller) {
        c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
        return c.json({ title: "Unauthorized", status: 401 }, 401, {
          "Content-Type": "application/problem+json",
        });
      }
      c.set("caller", caller);
      await next();
    })
    .get("/api/whoami", (c) => c.json(c.get("caller")));
}
