import { and, eq, isNotNull, isNull, lt, sql } from "drizzle-orm";
import type { Clock } from "../../clock.js";
import type { Db, Tx } from "../../db.js";
import { hashRecoveryCode, newRecoveryCodes, normalizeRecoveryCode } from "./recovery-codes.js";
import type { SecretBox } from "./secret-box.js";
import type { TwoFactorTables } from "./tables.js";
import { matchingStep, newTotpSecret } from "./totp.js";

/** An unconfirmed setup is forgotten after a day (and pruned by the retention job). */
export const SETUP_LIFETIME_MS = 24 * 60 * 60 * 1000;

/** What `GET /2fa` and the data export show: never a secret or a hash. */
export type TwoFactorState = {
  totp: { enabled: boolean; enabledAt: string | null };
  recoveryCodes: { remaining: number };
};

/** The outcome of a setup request. */
export type SetupResult = { secret: string } | { alreadyEnabled: true };

/** The outcome of a confirmation. */
export type EnableResult =
  | { enabled: true; recoveryCodes: string[] }
  | { enabled: false; reason: "no_setup" | "already_enabled" | "wrong_code" };

/**
 * The plugin's rows: TOTP secrets sealed by `box`, time steps accepted once, recovery codes
 * single use. Every acceptance is a conditional update, so two concurrent requests with the
 * same code cannot both succeed.
 */
export class TwoFactorStore {
  constructor(
    private readonly db: Db,
    private readonly tables: TwoFactorTables,
    private readonly box: SecretBox,
    private readonly clock: Clock,
    private readonly window: number,
  ) {}

  /** Whether TOTP is enabled, since when, and how many unused recovery codes remain. */
  async state(db: Db | Tx, userId: string): Promise<TwoFactorState> {
    const { totp, recoveryCodes: codes } = this.tables;
    const [row] = await db
      .select({
        enabledAt: totp.enabledAt,
        remaining: sql<number>`(select count(*) from ${codes}
          where ${codes.userId} = ${userId} and ${codes.usedAt} is null)`.mapWith(Number),
      })
      .from(totp)
      .where(and(eq(totp.userId, userId), isNotNull(totp.enabledAt)));
    return {
      totp: { enabled: row !== undefined, enabledAt: row?.enabledAt?.toISOString() ?? null },
      recoveryCodes: { remaining: row?.remaining ?? 0 },
    };
  }

  /**
   * A fresh secret, sealed, replacing an unconfirmed one; `alreadyEnabled` (and nothing
   * written) when TOTP is enabled. One statement: the upsert's condition decides.
   */
  async beginSetup(userId: string): Promise<SetupResult> {
    const { totp } = this.tables;
    const secret = newTotpSecret();
    const sealed = this.box.seal(secret, userId);
    const now = new Date(this.clock.now());
    const written = await this.db
      .insert(totp)
      .values({ userId, secret: sealed, createdAt: now, enabledAt: null, lastUsedStep: -1 })
      .onConflictDoUpdate({
        target: totp.userId,
        set: { secret: sealed, createdAt: now, lastUsedStep: -1 },
        setWhere: isNull(totp.enabledAt),
      })
      .returning({ userId: totp.userId });
    return written.length > 0 ? { secret } : { alreadyEnabled: true };
  }

  /**
   * Confirms the pending setup with a code from the app: enables TOTP (the code's step
   * counts as used) and replaces any recovery codes with 10 fresh ones, in `tx`.
   */
  async enable(tx: Tx, userId: string, code: string): Promise<EnableResult> {
    const { totp } = this.tables;
    const [row] = await tx.select().from(totp).where(eq(totp.userId, userId)).for("update");
    if (!row) return { enabled: false, reason: "no_setup" };
    if (row.enabledAt) return { enabled: false, reason: "already_enabled" };
    const nowMs = this.clock.now();
    if (row.createdAt.getTime() < nowMs - SETUP_LIFETIME_MS) {
      return { enabled: false, reason: "no_setup" };
    }
    const opened = this.box.open(row.secret, userId);
    if (!opened) return { enabled: false, reason: "no_setup" };
    const step = await matchingStep(opened.plaintext, code, nowMs, this.window, row.lastUsedStep);
    if (step === undefined) return { enabled: false, reason: "wrong_code" };
    const updated = await tx
      .update(totp)
      .set({
        enabledAt: new Date(nowMs),
        lastUsedStep: step,
        ...(opened.stale ? { secret: this.box.seal(opened.plaintext, userId) } : {}),
      })
      .where(and(eq(totp.userId, userId), isNull(totp.enabledAt), lt(totp.lastUsedStep, step)))
      .returning({ userId: totp.userId });
    if (updated.length === 0) return { enabled: false, reason: "already_enabled" };
    return { enabled: true, recoveryCodes: await this.replaceRecoveryCodes(tx, userId) };
  }

  /**
   * Whether `code` is a TOTP code of the user's enabled authenticator for a step not used
   * yet; if so, the step is used up (and a secret sealed with an older key re-sealed with the
   * current one, in the same update).
   */
  async useTotp(db: Db | Tx, userId: string, code: string): Promise<boolean> {
    const { totp } = this.tables;
    const [row] = await db
      .select()
      .from(totp)
      .where(and(eq(totp.userId, userId), isNotNull(totp.enabledAt)));
    if (!row) return false;
    const opened = this.box.open(row.secret, userId);
    if (!opened) return false;
    const nowMs = this.clock.now();
    const step = await matchingStep(opened.plaintext, code, nowMs, this.window, row.lastUsedStep);
    if (step === undefined) return false;
    const updated = await db
      .update(totp)
      .set({
        lastUsedStep: step,
        ...(opened.stale ? { secret: this.box.seal(opened.plaintext, userId) } : {}),
      })
      .where(and(eq(totp.userId, userId), isNotNull(totp.enabledAt), lt(totp.lastUsedStep, step)))
      .returning({ userId: totp.userId });
    return updated.length > 0;
  }

  /** Whether `input` is an unused recovery code of the user; if so it is used up. */
  async useRecoveryCode(db: Db | Tx, userId: string, input: string): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (normalized === undefined) return false;
    const { recoveryCodes: codes, totp } = this.tables;
    const used = await db
      .update(codes)
      .set({ usedAt: new Date(this.clock.now()) })
      .where(
        and(
          eq(codes.userId, userId),
          eq(codes.codeHash, hashRecoveryCode(userId, normalized)),
          isNull(codes.usedAt),
          // Only while TOTP is enabled (codes are deleted with it; this closes the race).
          sql`exists (select 1 from ${totp} where ${totp.userId} = ${userId}
            and ${totp.enabledAt} is not null)`,
        ),
      )
      .returning({ id: codes.id });
    return used.length > 0;
  }

  /** 10 fresh codes in place of all the user's codes; `undefined` when TOTP is not enabled. */
  async regenerate(tx: Tx, userId: string): Promise<string[] | undefined> {
    const { totp } = this.tables;
    const [row] = await tx
      .select({ userId: totp.userId })
      .from(totp)
      .where(and(eq(totp.userId, userId), isNotNull(totp.enabledAt)))
      .for("update");
    if (!row) return undefined;
    return this.replaceRecoveryCodes(tx, userId);
  }

  /** Removes the authenticator and every recovery code; whether TOTP was enabled. */
  async disable(tx: Tx, userId: string): Promise<boolean> {
    const { totp, recoveryCodes: codes } = this.tables;
    const removed = await tx
      .delete(totp)
      .where(eq(totp.userId, userId))
      .returning({ enabledAt: totp.enabledAt });
    await tx.delete(codes).where(eq(codes.userId, userId));
    return removed.some((row) => row.enabledAt !== null);
  }

  private async replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
    const { recoveryCodes: codes } = this.tables;
    const fresh = newRecoveryCodes();
    const createdAt = new Date(this.clock.now());
    await tx.delete(codes).where(eq(codes.userId, userId));
    await tx.insert(codes).values(
      fresh.map((code) => ({
        userId,
        codeHash: hashRecoveryCode(userId, normalizeRecoveryCode(code)!),
        createdAt,
      })),
    );
    return fresh;
  }

  /** Setups never confirmed, older than {@link SETUP_LIFETIME_MS}: the retention's range. */
  unconfirmedBefore(nowMs: number) {
    const { totp } = this.tables;
    return and(isNull(totp.enabledAt), lt(totp.createdAt, new Date(nowMs - SETUP_LIFETIME_MS)));
  }
}
