import type { Context } from "hono";
import type { KeyedLimit } from "../../abuse/abuse-limits.js";
import type { PluginContext } from "../plugin.js";

/** One count a wrong code is charged to. */
type Charge = { limit: KeyedLimit; key: string };

/**
 * Where wrong codes are counted, so that guessing is bounded while someone who merely knows
 * the password cannot lock the owner's devices out:
 * - at sign-in, per account *and* client address (`perClient`, 5 per 15 minutes by default),
 *   and, from browsers new to the account, per account across all addresses (`perAccount`, 20
 *   per hour), which bounds distributed guessing (with three codes valid at once, 1 chance in
 *   16 000 an hour); a browser that signed in to the account before is not held back by it;
 * - for step-up and enabling, per session: only the session's holder can spend that count.
 * A right code gives its points back.
 */
export class WrongCodeLimits {
  constructor(
    private readonly limits: {
      perClient: KeyedLimit;
      perAccount: KeyedLimit;
      perSession: KeyedLimit;
    },
    private readonly context: Pick<PluginContext, "limiterClient">,
  ) {}

  /**
   * The counts of a second step of a sign-in. The account-wide count is charged only from
   * browsers that never signed in to the account (decision 014's rule for passwords): the
   * owner's own devices can still sign in while a distributed guesser is held back.
   */
  signIn(c: Context, pending: { userId: string; newDevice: boolean }): readonly Charge[] {
    const client = this.context.limiterClient(c) ?? "?";
    const perClient = { limit: this.limits.perClient, key: `${pending.userId}|${client}` };
    if (!pending.newDevice) return [perClient];
    return [perClient, { limit: this.limits.perAccount, key: pending.userId }];
  }

  /** The count of a signed-in session (step-up, enabling TOTP). */
  session(sessionId: string): readonly Charge[] {
    return [{ limit: this.limits.perSession, key: sessionId }];
  }

  /** Takes a point from each count, or 429 (giving back what it took) when one is spent. */
  async consume(charges: readonly Charge[]): Promise<void> {
    const taken: Charge[] = [];
    try {
      for (const charge of charges) {
        await charge.limit.consume(charge.key);
        taken.push(charge);
      }
    } catch (error) {
      await this.refund(taken);
      throw error;
    }
  }

  async refund(charges: readonly Charge[]): Promise<void> {
    for (const charge of charges) await charge.limit.refund(charge.key);
  }
}
