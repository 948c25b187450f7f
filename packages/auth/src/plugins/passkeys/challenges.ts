import { createHash, randomBytes } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import { setCookie } from "hono/cookie";
import type { Clock } from "../../clock.js";
import type { Db, Tx } from "../../db.js";
import { readCookie } from "../../http/cookie-header.js";
import type { ChallengePurpose, ChallengeRow, PasskeysTables } from "./tables.js";

/** How long a ceremony may take, from its options to its answer. */
export const CHALLENGE_LIFETIME_SECONDS = 5 * 60;
/** The challenge cookie's name (`__Host-` first when the cookie is secure). */
export const CHALLENGE_COOKIE = "auth_webauthn";

const BROWSER_ID = /^[A-Za-z0-9_-]{43}$/;
/** Our challenges are 32 bytes: 43 base64url characters. Anything else was never issued. */
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

const sha256 = (value: string) => createHash("sha256").update(value).digest("base64url");

/** What a challenge is bound to besides the browser. */
export type ChallengeBinding = {
  purpose: ChallengePurpose;
  userId: string | null;
  sessionId: string | null;
};

/** A challenge just issued: its bytes for the options, and the base64url the browser signs. */
export type IssuedChallenge = { bytes: Uint8Array<ArrayBuffer>; encoded: string };

/**
 * WebAuthn challenges kept server-side: 32 random bytes, stored as SHA-256, single use
 * (deleted by the request that presents them, whatever the outcome), five minutes, bound to
 * the browser by an HttpOnly cookie holding a random id (only its hash is stored) and to what
 * they were issued for. One browser may hold several (two tabs each running a ceremony).
 */
export class ChallengeStore {
  readonly #wireName: string;

  constructor(
    private readonly table: PasskeysTables["challenges"],
    private readonly clock: Clock,
    private readonly secure: boolean,
  ) {
    this.#wireName = secure ? `__Host-${CHALLENGE_COOKIE}` : CHALLENGE_COOKIE;
  }

  /** Stores a fresh challenge bound to this browser (setting its cookie) and to `binding`. */
  async issue(c: Context, db: Db | Tx, binding: ChallengeBinding): Promise<IssuedChallenge> {
    const browserId = this.#browserId(c) ?? randomBytes(32).toString("base64url");
    const bytes = new Uint8Array(randomBytes(32));
    const encoded = Buffer.from(bytes).toString("base64url");
    const now = this.clock.now();
    await db.insert(this.table).values({
      challengeHash: sha256(encoded),
      browserHash: sha256(browserId),
      purpose: binding.purpose,
      userId: binding.userId,
      sessionId: binding.sessionId,
      createdAt: new Date(now),
      expiresAt: new Date(now + CHALLENGE_LIFETIME_SECONDS * 1000),
    });
    setCookie(c, CHALLENGE_COOKIE, browserId, {
      path: "/",
      secure: this.secure,
      httpOnly: true,
      sameSite: "Lax",
      maxAge: CHALLENGE_LIFETIME_SECONDS,
      ...(this.secure ? { prefix: "host" as const } : {}),
    });
    return { bytes, encoded };
  }

  /**
   * Takes (deletes) the challenge the browser signed, when this browser was handed it and it
   * has not expired; `undefined` otherwise. A challenge presented once is gone, whether or
   * not what follows succeeds.
   */
  async take(c: Context, db: Db | Tx, challenge: string): Promise<ChallengeRow | undefined> {
    const browserId = this.#browserId(c);
    if (browserId === undefined || !CHALLENGE.test(challenge)) return undefined;
    const t = this.table;
    const [row] = await db
      .delete(t)
      .where(and(eq(t.challengeHash, sha256(challenge)), eq(t.browserHash, sha256(browserId))))
      .returning();
    if (!row || row.expiresAt.getTime() <= this.clock.now()) return undefined;
    return row;
  }

  /**
   * Takes the challenge a response's `clientDataJSON` answers (see {@link take}), with the
   * challenge itself for the library to compare.
   */
  async takeAnswered(
    c: Context,
    db: Db | Tx,
    clientDataJSON: string,
  ): Promise<{ row: ChallengeRow; challenge: string } | undefined> {
    const challenge = claimedChallenge(clientDataJSON);
    if (challenge === undefined) return undefined;
    const row = await this.take(c, db, challenge);
    return row && { row, challenge };
  }

  #browserId(c: Context): string | undefined {
    const value = readCookie(c.req.header("Cookie") ?? "", this.#wireName);
    return value !== undefined && BROWSER_ID.test(value) ? value : undefined;
  }
}

/**
 * The challenge a response's `clientDataJSON` claims to answer (unverified: it only finds the
 * stored one, which the library then compares).
 */
export function claimedChallenge(clientDataJSON: string): string | undefined {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, "base64url").toString("utf8"));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === "string" ? challenge : undefined;
  } catch {
    return undefined;
  }
}
