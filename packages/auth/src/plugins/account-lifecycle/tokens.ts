import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt } from "drizzle-orm";
import type { Db, Tx } from "../../db.js";
import type { AccountLifecycleTables, TokenPurpose } from "./tables.js";

/** SHA-256, hex: how tokens and their bindings are stored. */
export const digest = (value: string) => createHash("sha256").update(value).digest("hex");

/** What a token is bound to: it dies when this changes. */
export const bindings = {
  email: (email: string) => digest(`email:${email}`),
  password: (passwordHash: string) => digest(`password:${passwordHash}`),
  /**
   * An email change moves the account away: it dies with the address *and* with the
   * password, so whoever takes the account back (a reset, a password change) cancels it.
   */
  emailChange: (email: string, passwordHash: string) =>
    digest(`email:${email}|password:${passwordHash}`),
};

/** A token as it arrives in a link: 256 random bits, base64url (43 characters). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type TokenRow = AccountLifecycleTables["tokens"]["$inferSelect"];

/** One-time tokens: issued in the transaction that mails them, redeemed in the one they change. */
export class AccountTokens {
  constructor(private readonly table: AccountLifecycleTables["tokens"]) {}

  /**
   * A new token (256 random bits; only its SHA-256 is stored) for `purpose`, replacing any
   * earlier one of the same purpose: only the newest link works.
   */
  async issue(
    tx: Db | Tx,
    input: {
      userId: string;
      purpose: TokenPurpose;
      boundTo: string;
      newEmail?: string;
      ttlSeconds: number;
      nowMs: number;
    },
  ): Promise<{ id: string; token: string }> {
    const token = randomBytes(32).toString("base64url");
    await tx
      .delete(this.table)
      .where(and(eq(this.table.userId, input.userId), eq(this.table.purpose, input.purpose)));
    const [row] = await tx
      .insert(this.table)
      .values({
        userId: input.userId,
        purpose: input.purpose,
        tokenHash: digest(token),
        boundTo: input.boundTo,
        newEmail: input.newEmail ?? null,
        createdAt: new Date(input.nowMs),
        expiresAt: new Date(input.nowMs + input.ttlSeconds * 1000),
      })
      .returning({ id: this.table.id });
    return { id: row!.id, token };
  }

  /**
   * Redeems a token: deleted in this transaction (a second use, or a concurrent one, finds
   * nothing) and returned when it was live. The caller checks its binding.
   */
  async redeem(
    tx: Tx,
    purpose: TokenPurpose,
    token: string,
    nowMs: number,
  ): Promise<TokenRow | undefined> {
    if (!TOKEN_PATTERN.test(token)) return undefined;
    const [row] = await tx
      .delete(this.table)
      .where(
        and(
          eq(this.table.tokenHash, digest(token)),
          eq(this.table.purpose, purpose),
          gt(this.table.expiresAt, new Date(nowMs)),
        ),
      )
      .returning();
    return row;
  }

  /**
   * Every token of the user, or those of one purpose (the email changed, the account was
   * taken back: no older link may act on it).
   */
  async revokeAll(tx: Db | Tx, userId: string, purpose?: TokenPurpose): Promise<void> {
    await tx
      .delete(this.table)
      .where(
        purpose === undefined
          ? eq(this.table.userId, userId)
          : and(eq(this.table.userId, userId), eq(this.table.purpose, purpose)),
      );
  }
}
