import { readPeerFirst } from "../../abuse/limiter-client.js";
import type { WrongCodeLimits } from "./wrong-code-limits.js";
import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AuthEnv, SignedInEnv } from "../../authenticator.js";
import type { Db, Tx } from "../../db.js";
import { jsonBody } from "../../http/json-body.js";
import { ProblemError, SIGN_IN_REQUIRED, validationError } from "../../http/problem.js";
import { findUserById } from "../../users/user-store.js";
import type { AccountChange } from "../hooks.js";
import type { PluginContext } from "../plugin.js";
import { twoFactorRouteDocs as docs } from "./openapi.js";
import type { ResolvedTwoFactorOptions } from "./options.js";
import type { TwoFactorStore } from "./store.js";
import { totpUri } from "./totp.js";

/** The method names the core and the SPA know. */
export const TOTP_METHOD = "totp";
export const RECOVERY_CODE_METHOD = "recovery_code";

/** A TOTP code as typed: spaces ignored ("123 456"); checked for six digits in the handler. */
const code = z
  .string()
  .max(32, "is not a code")
  .transform((value) => value.replace(/\s/g, ""));
const recoveryCode = z.string().min(1, "is required").max(64, "is not a recovery code");

const codeBody = z.strictObject({ code });
const verifyBody = z
  .strictObject({ code: code.optional(), recoveryCode: recoveryCode.optional() })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: "give either code or recoveryCode",
  });

const SIX_DIGITS = /^\d{6}$/;

/** 422 at the field, the same for a malformed and a wrong code. */
function wrongCode(pointer: "/code" | "/recoveryCode"): ProblemError {
  const detail =
    pointer === "/code"
      ? "is not the current code of your authenticator app"
      : "is not an unused recovery code of this account";
  return validationError([{ pointer, detail }], "The code is not right.");
}

const conflict = (detail: string) =>
  new ProblemError({ status: 409, type: "/problems/two-factor-state", detail });

const NOT_ENABLED = "Two-step verification with an authenticator app is not turned on.";
const ALREADY_ENABLED = "Two-step verification with an authenticator app is already turned on.";
const NO_SETUP = "Start the authenticator app setup first (or again: it expires after a day).";

export type TwoFactorRouteDeps = {
  context: PluginContext;
  options: ResolvedTwoFactorOptions;
  store: TwoFactorStore;
  /** Wrong codes per account, shared by every route that checks one. */
  wrongCodes: WrongCodeLimits;
};

type Proof = { method: typeof TOTP_METHOD | typeof RECOVERY_CODE_METHOD; value: string };

/** The plugin's routes, under the host's auth path. */
export function twoFactorRoutes(deps: TwoFactorRouteDeps) {
  const { context, store, options } = deps;
  const { requireAuth, requireRecentAuth, db } = context;

  const emit = (
    c: Context,
    tx: Db | Tx,
    event: { userId: string; sessionId: string | null; change: AccountChange; method: string },
  ) =>
    context.emit(
      "accountChanged",
      {
        userId: event.userId,
        change: event.change,
        sessionId: event.sessionId,
        client: context.clientInfo(c),
        detail: { method: event.method },
      },
      tx,
    );

  /**
   * Checks a proof under the wrong-code throttle: the attempt is counted before the check (a
   * burst of parallel guesses cannot slip past), given back when right. A malformed TOTP code
   * is refused without counting (it cannot be right). `check` uses the proof up and does what
   * it proves, in one transaction, answering false (nothing changed) when the proof is wrong.
   */
  const checkProof = async <T>(
    charges: ReturnType<WrongCodeLimits["session"]>,
    proof: Proof,
    check: () => Promise<{ accepted: true; value: T } | { accepted: false }>,
    onWrong: () => Promise<void>,
  ): Promise<T> => {
    const pointer = proof.method === TOTP_METHOD ? "/code" : "/recoveryCode";
    if (proof.method === TOTP_METHOD && !SIX_DIGITS.test(proof.value)) throw wrongCode(pointer);
    await deps.wrongCodes.consume(charges);
    const outcome = await check();
    if (outcome.accepted) {
      await deps.wrongCodes.refund(charges);
      return outcome.value;
    }
    await onWrong();
    throw wrongCode(pointer);
  };

  /** Uses a proof up in its own transaction (a step-up): accepted when it was right. */
  const useUp = async (accept: (tx: Tx) => Promise<boolean>) =>
    (await db.transaction(accept))
      ? ({ accepted: true, value: undefined } as const)
      : ({ accepted: false } as const);

  /**
   * A change to the signed-in user's TOTP that needs it turned on: `change` runs in one
   * transaction with its event (for the current session); nothing to change (falsy) is a 409.
   */
  const changeEnabledTotp = async <T>(
    c: Context<SignedInEnv>,
    change: (tx: Tx, userId: string) => Promise<T | false | undefined>,
    event: { change: AccountChange; method: string },
  ): Promise<T> => {
    const auth = c.get("auth");
    const changed = await db.transaction(async (tx) => {
      const result = await change(tx, auth.userId);
      if (result) {
        await emit(c, tx, { userId: auth.userId, sessionId: auth.sessionId, ...event });
      }
      return result;
    });
    if (!changed) throw conflict(NOT_ENABLED);
    return changed;
  };

  return (
    new Hono<AuthEnv>()
      .get("/2fa", docs.status, requireAuth, async (c) => {
        return c.json(await store.state(db, c.get("auth").userId), 200);
      })
      .post("/2fa/totp/setup", docs.setup, requireAuth, requireRecentAuth, async (c) => {
        const auth = c.get("auth");
        const user = await findUserById(db, context.tables, auth.userId);
        if (!user) throw new ProblemError(SIGN_IN_REQUIRED);
        const setup = await store.beginSetup(auth.userId);
        if ("alreadyEnabled" in setup) throw conflict(ALREADY_ENABLED);
        return c.json(
          { secret: setup.secret, uri: totpUri(setup.secret, options.issuer, user.email) },
          200,
        );
      })
      // `readPeerFirst`: the client address the wrong-code limits key on is read before the body.
      .post(
        "/2fa/totp/enable",
        docs.enable,
        requireAuth,
        readPeerFirst,
        jsonBody(codeBody),
        async (c) => {
          const auth = c.get("auth");
          const typed = c.req.valid("json").code;
          if (!SIX_DIGITS.test(typed)) throw wrongCode("/code");
          const charges = deps.wrongCodes.session(auth.sessionId);
          await deps.wrongCodes.consume(charges);
          const result = await db.transaction(async (tx) => {
            const enabled = await store.enable(tx, auth.userId, typed);
            if (enabled.enabled) {
              await emit(c, tx, {
                userId: auth.userId,
                sessionId: auth.sessionId,
                change: "second_factor_enabled",
                method: TOTP_METHOD,
              });
            }
            return enabled;
          });
          if (result.enabled) {
            await deps.wrongCodes.refund(charges);
            return c.json({ recoveryCodes: result.recoveryCodes }, 200);
          }
          // Not a guess at anything: the point goes back unless the code was wrong.
          if (result.reason !== "wrong_code") await deps.wrongCodes.refund(charges);
          if (result.reason === "already_enabled") throw conflict(ALREADY_ENABLED);
          if (result.reason === "no_setup") throw conflict(NO_SETUP);
          throw wrongCode("/code");
        },
      )
      .post("/2fa/verify", docs.verify, readPeerFirst, jsonBody(verifyBody), async (c) => {
        const body = c.req.valid("json");
        const pending = await context.pendingSignIn(c);
        const proof: Proof =
          body.code !== undefined
            ? { method: TOTP_METHOD, value: body.code }
            : { method: RECOVERY_CODE_METHOD, value: body.recoveryCode ?? "" };
        if (!pending.methods.includes(proof.method)) {
          throw conflict(
            proof.method === TOTP_METHOD
              ? NOT_ENABLED
              : "This account has no unused recovery codes left.",
          );
        }
        const { userId } = pending;
        /** Thrown inside the sign-in's transaction to refuse the code: nothing is consumed. */
        const wrong = new Error("wrong code");
        const use = async (tx: Tx) => {
          if (proof.method === TOTP_METHOD) return store.useTotp(tx, userId, proof.value);
          const used = await store.useRecoveryCode(tx, userId, proof.value);
          if (used) {
            await emit(c, tx, {
              userId,
              sessionId: null,
              change: "recovery_code_used",
              method: RECOVERY_CODE_METHOD,
            });
          }
          return used;
        };
        const user = await checkProof(
          deps.wrongCodes.signIn(c, pending),
          proof,
          async () => {
            try {
              // The code is used up in the transaction that opens the session: a sign-in that
              // fails (expired meanwhile, a racing tab) never spends it.
              const signedIn = await context.completeSignIn(
                c,
                pending,
                proof.method,
                async (tx) => {
                  if (!(await use(tx))) throw wrong;
                },
              );
              return { accepted: true, value: signedIn } as const;
            } catch (error) {
              if (error === wrong) return { accepted: false } as const;
              throw error;
            }
          },
          () =>
            emit(c, db, {
              userId,
              sessionId: null,
              change: "second_factor_failed",
              method: proof.method,
            }),
        );
        return c.json({ user }, 200);
      })
      .post("/2fa/totp/disable", docs.disable, requireAuth, requireRecentAuth, async (c) => {
        await changeEnabledTotp(c, (tx, userId) => store.disable(tx, userId), {
          change: "second_factor_disabled",
          method: TOTP_METHOD,
        });
        return c.body(null, 204);
      })
      .post(
        "/2fa/recovery-codes/regenerate",
        docs.regenerate,
        requireAuth,
        requireRecentAuth,
        async (c) => {
          const recoveryCodes = await changeEnabledTotp(
            c,
            (tx, userId) => store.regenerate(tx, userId),
            { change: "recovery_codes_regenerated", method: RECOVERY_CODE_METHOD },
          );
          return c.json({ recoveryCodes }, 200);
        },
      )
      .post(
        "/reauthenticate/totp",
        docs.reauthenticate,
        requireAuth,
        readPeerFirst,
        jsonBody(codeBody),
        async (c) => {
          const auth = c.get("auth");
          const typed = c.req.valid("json").code;
          const { enabled } = (await store.state(db, auth.userId)).totp;
          if (!enabled) throw conflict(NOT_ENABLED);
          await checkProof(
            deps.wrongCodes.session(auth.sessionId),
            { method: TOTP_METHOD, value: typed },
            () => useUp((tx) => store.useTotp(tx, auth.userId, typed)),
            () =>
              emit(c, db, {
                userId: auth.userId,
                sessionId: auth.sessionId,
                change: "reauthentication_failed",
                method: TOTP_METHOD,
              }),
          );
          return c.json(await context.reauthenticated(c, TOTP_METHOD), 200);
        },
      )
  );
}
