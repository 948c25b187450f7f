import type { PendingSignInView } from "../../second-factor/sign-in-steps.js";
import { eq } from "drizzle-orm";
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from "@simplewebauthn/server";
import type { Context } from "hono";
import type { AuthEnv, AuthState } from "../../authenticator.js";
import { isUniqueViolation } from "../../db.js";
import { SIGN_IN_REQUIRED, ProblemError } from "../../http/problem.js";
import type { PublicUser } from "../../users/user-store.js";
import { findUserById } from "../../users/user-store.js";
import type { PasskeysDeps } from "./deps.js";
import {
  challengeExpired,
  noPasskey,
  passkeyLimit,
  passkeyNotAccepted,
  registrationRefused,
} from "./problems.js";
import { passkeyView, type PasskeyView } from "./store.js";
import type { ChallengeRow, PasskeyRow } from "./tables.js";
import {
  authenticationOptions,
  CeremonyRefused,
  isUserHandleOf,
  registrationOptions,
  verifyAssertion,
  verifyRegistration,
  type StoredCredential,
} from "./webauthn.js";

export type AuthenticationPurpose = "sign-in" | "second-factor" | "reauthenticate";

/** The passkey method, as the core's second-factor and step-up lists name it. */
export const PASSKEY_METHOD = "passkey";

const stored = (row: PasskeyRow): StoredCredential => ({
  credentialId: row.credentialId,
  publicKey: row.publicKey,
  counter: row.counter,
  transports: row.transports,
});

/** Credential ids as the library stores them: base64url without padding. */
const unpadded = (id: string) => id.replace(/=+$/, "");

/** `POST /passkeys/register/options` (signed in, recently authenticated). */
export async function startRegistration(
  deps: PasskeysDeps,
  c: Context,
  auth: AuthState,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { context, options } = deps;
  await deps.limits.ceremonies.consume(context.limiterClient(c));
  const user = await findUserById(context.db, context.tables, auth.userId);
  if (!user || user.disabledAt) throw new ProblemError(SIGN_IN_REQUIRED);
  const existing = await deps.passkeys.listOf(context.db, auth.userId);
  if (existing.length >= options.maxPasskeysPerUser) throw passkeyLimit(options.maxPasskeysPerUser);
  const challenge = await deps.challenges.issue(c, context.db, {
    purpose: "register",
    userId: auth.userId,
    sessionId: auth.sessionId,
  });
  return registrationOptions(
    options,
    { id: user.id, email: user.email, name: user.name },
    existing.map(stored),
    challenge,
  );
}

/**
 * `POST /passkeys/register`: the challenge must be this browser's, of a registration, by
 * this user in this session; the response must verify (origin, RP id, algorithm); the
 * user's cap holds (counted under a lock on the user row).
 */
export async function finishRegistration(
  deps: PasskeysDeps,
  c: Context,
  auth: AuthState,
  body: { name: string; response: RegistrationResponseJSON },
): Promise<PasskeyView> {
  const { context, options } = deps;
  const taken = await deps.challenges.takeAnswered(
    c,
    context.db,
    body.response.response.clientDataJSON,
  );
  const challenge = taken?.row;
  if (
    !taken ||
    !challenge ||
    challenge.purpose !== "register" ||
    challenge.userId !== auth.userId ||
    challenge.sessionId !== auth.sessionId
  ) {
    throw registrationRefused("This passkey request has expired or was already used. Start again.");
  }
  let credential;
  try {
    credential = await verifyRegistration(options, body.response, taken.challenge);
  } catch (error) {
    if (error instanceof CeremonyRefused) {
      throw registrationRefused("The passkey could not be verified for this site. Try again.");
    }
    throw error;
  }
  const users = context.tables.users;
  try {
    return await context.db.transaction(async (tx) => {
      const [owner] = await tx
        .select({ id: users.id, disabledAt: users.disabledAt })
        .from(users)
        .where(eq(users.id, auth.userId))
        .for("update");
      if (!owner || owner.disabledAt) throw new ProblemError(SIGN_IN_REQUIRED);
      if ((await deps.passkeys.countOf(tx, auth.userId)) >= options.maxPasskeysPerUser) {
        throw passkeyLimit(options.maxPasskeysPerUser);
      }
      const row = await deps.passkeys.insert(tx, {
        userId: auth.userId,
        credentialId: credential.credentialId,
        publicKey: credential.publicKey,
        counter: credential.counter,
        transports: credential.transports,
        deviceType: credential.deviceType,
        backedUp: credential.backedUp,
        name: body.name,
        aaguid: credential.aaguid,
        createdAt: new Date(context.clock.now()),
      });
      await context.emit(
        "accountChanged",
        {
          userId: auth.userId,
          change: "passkey_added",
          sessionId: auth.sessionId,
          client: context.clientInfo(c),
          detail: { method: PASSKEY_METHOD, name: row.name },
        },
        tx,
      );
      return passkeyView(row);
    });
  } catch (error) {
    // Already registered — to another account, since the browser excludes the user's own: the
    // same refusal as any other, so registration cannot tell whose a credential is.
    if (isUniqueViolation(error)) {
      throw registrationRefused("The passkey could not be verified for this site. Try again.");
    }
    throw error;
  }
}

/** `POST /passkeys/authenticate/options`. */
export async function startAuthentication(
  deps: PasskeysDeps,
  c: Context<AuthEnv>,
  purpose: AuthenticationPurpose,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { context, options } = deps;
  await deps.limits.ceremonies.consume(context.limiterClient(c));
  if (purpose === "sign-in") {
    // Discoverable: the browser offers the passkeys it holds for the RP; the user handle and
    // credential id of the answer find the account.
    const challenge = await deps.challenges.issue(c, context.db, {
      purpose,
      userId: null,
      sessionId: null,
    });
    return authenticationOptions(options, [], "required", challenge);
  }
  let userId: string;
  let sessionId: string | null = null;
  if (purpose === "second-factor") {
    userId = (await context.pendingSignIn(c)).userId;
  } else {
    const auth = context.signedIn(c);
    userId = auth.userId;
    sessionId = auth.sessionId;
  }
  const own = await deps.passkeys.listOf(context.db, userId);
  // An empty allow-list would let the browser offer any passkey: never for a known user.
  if (own.length === 0) throw noPasskey();
  const challenge = await deps.challenges.issue(c, context.db, { purpose, userId, sessionId });
  // A step-up is a proof of who is at the keyboard: presence alone (a security key left
  // plugged into an unlocked machine) is not one. After a password, presence is the factor.
  const verification = purpose === "reauthenticate" ? "required" : "preferred";
  return authenticationOptions(options, own.map(stored), verification, challenge);
}

/** What `POST /passkeys/authenticate` answers, by the challenge's purpose. */
export type AuthenticationOutcome =
  | { purpose: "sign-in" | "second-factor"; user: PublicUser }
  | { purpose: "reauthenticate"; authTime: string };

/**
 * `POST /passkeys/authenticate`: takes this browser's challenge (whatever happens next, it is
 * gone), checks what it is bound to (the pending sign-in's user, the signed-in session),
 * finds the credential (of that user, when one is bound), verifies the assertion and the
 * counter, records the use, and completes the ceremony its purpose says.
 */
export async function finishAuthentication(
  deps: PasskeysDeps,
  c: Context<AuthEnv>,
  response: AuthenticationResponseJSON,
): Promise<AuthenticationOutcome> {
  const { context } = deps;
  const client = context.limiterClient(c);
  await deps.limits.assertions.consume(client);
  const taken = await deps.challenges.takeAnswered(c, context.db, response.response.clientDataJSON);
  if (!taken || taken.row.purpose === "register") throw challengeExpired();
  const challenge = taken.row;

  const bound = await boundParty(deps, c, challenge);
  const row = await deps.passkeys.byCredentialId(context.db, unpadded(response.id));
  const refuse = async (userId: string | null) => {
    await recordFailure(deps, c, challenge, bound, userId);
    return passkeyNotAccepted();
  };
  if (!row) throw await refuse(null);
  if (bound.userId !== null && row.userId !== bound.userId) throw await refuse(bound.userId);
  const handle = response.response.userHandle;
  if (handle && !isUserHandleOf(handle, row.userId)) throw await refuse(row.userId);

  let verified;
  try {
    verified = await verifyAssertion(
      deps.options,
      response,
      taken.challenge,
      stored(row),
      // Alone (sign-in) or as a step-up the passkey must verify the user (PIN, biometrics).
      challenge.purpose !== "second-factor",
    );
  } catch (error) {
    if (error instanceof CeremonyRefused) throw await refuse(row.userId);
    throw error;
  }
  const counted = await deps.passkeys.recordUse(context.db, row.id, {
    newCounter: verified.newCounter,
    deviceType: verified.deviceType,
    backedUp: verified.backedUp,
    at: new Date(context.clock.now()),
  });
  if (!counted) throw await refuse(row.userId);
  await deps.limits.assertions.refund(client);

  switch (challenge.purpose) {
    case "sign-in":
      return {
        purpose: "sign-in",
        user: await context.signInWith(c, row.userId, [PASSKEY_METHOD]),
      };
    case "second-factor":
      return {
        purpose: "second-factor",
        user: await context.completeSignIn(c, bound.pending!, PASSKEY_METHOD),
      };
    case "reauthenticate":
      return { purpose: "reauthenticate", ...(await context.reauthenticated(c, PASSKEY_METHOD)) };
    default:
      throw challengeExpired();
  }
}

type BoundParty = {
  userId: string | null;
  pending?: PendingSignInView;
  sessionId?: string;
};

/** Who the challenge was issued to, still there: the pending sign-in, or the session. */
async function boundParty(
  deps: PasskeysDeps,
  c: Context<AuthEnv>,
  challenge: ChallengeRow,
): Promise<BoundParty> {
  if (challenge.purpose === "second-factor") {
    const pending = await deps.context.pendingSignIn(c);
    if (pending.userId !== challenge.userId) throw challengeExpired();
    return { userId: pending.userId, pending };
  }
  if (challenge.purpose === "reauthenticate") {
    const auth = deps.context.signedIn(c);
    if (auth.userId !== challenge.userId || auth.sessionId !== challenge.sessionId) {
      throw challengeExpired();
    }
    return { userId: auth.userId, sessionId: auth.sessionId };
  }
  return { userId: null };
}

/**
 * A refused assertion in the owner's activity: of the pending sign-in's or the signed-in
 * user (whoever presented it), or of the credential's owner for a discoverable sign-in.
 * Nothing for an unknown credential.
 */
async function recordFailure(
  deps: PasskeysDeps,
  c: Context,
  challenge: ChallengeRow,
  bound: BoundParty,
  userId: string | null,
): Promise<void> {
  const { context } = deps;
  const client = context.clientInfo(c);
  if (challenge.purpose === "sign-in") {
    if (userId === null) return;
    await context.emit(
      "signInFailed",
      { userId, reason: "invalid_credentials", client },
      context.db,
    );
    return;
  }
  const owner = bound.userId;
  if (owner === null) return;
  await context.emit(
    "accountChanged",
    {
      userId: owner,
      change:
        challenge.purpose === "second-factor" ? "second_factor_failed" : "reauthentication_failed",
      sessionId: bound.sessionId ?? null,
      client,
      detail: { method: PASSKEY_METHOD },
    },
    context.db,
  );
}
