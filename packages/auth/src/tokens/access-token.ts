import { errors, jwtVerify, SignJWT, type JWTHeaderParameters } from "jose";
import type { KeyRing } from "./key-ring.js";
import { RESERVED_CLAIMS } from "./claims-builder.js";
import { VerifiedTokenCache } from "./verified-token-cache.js";

export const ACCESS_TOKEN_TYPE = "at+jwt";

/** What an access token says. Identifiers and role only: nothing secret. */
export type AccessClaims = {
  userId: string;
  sessionId: string;
  role: string;
  /** Seconds since the epoch. */
  issuedAt: number;
  /** Seconds since the epoch. */
  expiresAt: number;
  /**
   * Seconds since the epoch: when the user last proved who they are in this session (the
   * sign-in, or a later step-up). Sensitive routes require it to be recent.
   */
  authTime: number;
  /** What plugins added to the token (see `ClaimsProvider`); absent when nothing. */
  claims?: Readonly<Record<string, unknown>>;
};

/** Who a token is minted for, and the plugins' claims. */
export type TokenSubject = {
  userId: string;
  sessionId: string;
  role: string;
  /**
   * Seconds since the epoch (see `AccessClaims.authTime`). Required: a mint that forgot it
   * must not hand out a fresh step-up proof. Never later than the minting time.
   */
  authTime: number;
  claims?: Readonly<Record<string, unknown>> | undefined;
};

export type AccessTokenServiceOptions = {
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
  /** How many verified token strings to remember (default 10 000). */
  cacheSize?: number | undefined;
};

const MAX_TOKEN_LENGTH = 4096;
/** The one spelling of a compact JWS we accept: base64url without padding, nothing else. */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
/** How far a token's `iat` may be ahead of this clock (another process's clock skew). */
const IAT_LEEWAY_SECONDS = 5;

export class AccessTokenService {
  readonly #cache: VerifiedTokenCache<AccessClaims>;
  readonly #algorithms: string[];
  constructor(readonly options: AccessTokenServiceOptions) {
    this.#cache = new VerifiedTokenCache(options.cacheSize ?? 10_000);
    this.#algorithms = [options.keys.algorithm];
  }

  async mint(
    subject: TokenSubject,
    nowMs: number,
  ): Promise<{ token: string; claims: AccessClaims }> {
    const issuedAt = Math.floor(nowMs / 1000);
    const expiresAt = issuedAt + this.options.ttlSeconds;
    const authTime = Math.min(subject.authTime, issuedAt);
    const { algorithm, current } = this.options.keys;
    const { kid, key } = current;
    const token = await new SignJWT({
      ...subject.claims,
      sid: subject.sessionId,
      role: subject.role,
      auth_time: authTime,
    })
      .setProtectedHeader({ alg: algorithm, typ: ACCESS_TOKEN_TYPE, kid })
      .setSubject(subject.userId)
      .setIssuer(this.options.issuer)
      .setAudience(this.options.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(key);
    const claims: AccessClaims = {
      userId: subject.userId,
      sessionId: subject.sessionId,
      role: subject.role,
      issuedAt,
      expiresAt,
      authTime,
      ...(subject.claims ? { claims: subject.claims } : {}),
    };
    this.#cache.set(token, claims);
    return { token, claims };
  }

  /**
   * The claims of a valid, unexpired token, or `undefined`. The algorithm is pinned to the key
   * ring's one (an HS256 token is refused by an EdDSA ring and vice versa), the key comes only
   * from our own key ring by `kid` (header keys like `jwk`/`jku` are never used), and `iss`,
   * `aud`, `typ` and `exp` are checked.
   */
  async verify(token: string, nowMs: number): Promise<AccessClaims | undefined> {
    const nowSeconds = Math.floor(nowMs / 1000);
    const cached = this.#cache.get(token);
    if (cached) {
      if (cached.expiresAt > nowSeconds) return cached;
      this.#cache.delete(token);
      return undefined;
    }
    return this.#verifySignature(token, nowMs, nowSeconds);
  }

  /**
   * The claims of a token this process already verified (or minted) and that has not
   * expired, synchronously; `undefined` means "ask {@link verify}". The hot path's answer
   * without a single `await`.
   */
  verifyCached(token: string, nowMs: number): AccessClaims | undefined {
    const cached = this.#cache.get(token);
    return cached !== undefined && cached.expiresAt > Math.floor(nowMs / 1000) ? cached : undefined;
  }

  async #verifySignature(
    token: string,
    nowMs: number,
    nowSeconds: number,
  ): Promise<AccessClaims | undefined> {
    if (token.length > MAX_TOKEN_LENGTH || !COMPACT_JWS.test(token)) return undefined;
    try {
      const { payload } = await jwtVerify(token, this.#keyFor, {
        algorithms: this.#algorithms,
        issuer: this.options.issuer,
        audience: this.options.audience,
        typ: ACCESS_TOKEN_TYPE,
        currentDate: new Date(nowMs),
        requiredClaims: ["sub", "sid", "role", "iat", "exp", "auth_time"],
      });
      const { sub, sid, role, iat, exp, auth_time: authTime } = payload;
      if (typeof sub !== "string" || typeof sid !== "string" || typeof role !== "string") {
        return undefined;
      }
      if (typeof iat !== "number" || typeof exp !== "number") return undefined;
      // Proof of identity happens before (or when) a token is minted, never after it.
      if (typeof authTime !== "number" || !Number.isSafeInteger(authTime) || authTime > iat) {
        return undefined;
      }
      if (!this.#isPlausibleLifetime(iat, exp, nowSeconds)) return undefined;
      const extra = pluginClaims(payload);
      const claims: AccessClaims = {
        userId: sub,
        sessionId: sid,
        role,
        issuedAt: iat,
        expiresAt: exp,
        authTime,
        ...(extra ? { claims: extra } : {}),
      };
      this.#cache.set(token, claims);
      return claims;
    } catch (error) {
      if (error instanceof errors.JOSEError || error instanceof TypeError) return undefined;
      throw error;
    }
  }

  /**
   * Issued now or in the past (an `iat` in the future would outlive every revocation), not
   * expired, and no longer-lived than this service issues: even a token signed with our key
   * but minted otherwise is refused rather than trusted (or answered with a 500).
   */
  #isPlausibleLifetime(iat: number, exp: number, nowSeconds: number): boolean {
    return (
      Number.isSafeInteger(iat) &&
      Number.isSafeInteger(exp) &&
      iat <= nowSeconds + IAT_LEEWAY_SECONDS &&
      exp > nowSeconds &&
      exp > iat &&
      exp - iat <= this.options.ttlSeconds
    );
  }

  readonly #keyFor = (header: JWTHeaderParameters) => {
    const key = header.kid === undefined ? undefined : this.options.keys.byKid.get(header.kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  };
}

/** The claims of a verified payload that are not the core's or JWT's own. */
function pluginClaims(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  let extra: Record<string, unknown> | undefined;
  for (const name in payload) {
    if (RESERVED_CLAIMS.has(name) || name === "__proto__") continue;
    (extra ??= {})[name] = payload[name];
  }
  return extra;
}
