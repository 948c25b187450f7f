import { ProblemError, validationError } from "../../http/problem.js";

/** 401: the passkey was refused (the same answer for every reason: nothing to enumerate). */
export const PASSKEY_NOT_ACCEPTED_TYPE = "/problems/passkey-not-accepted";
/** 401: the ceremony's challenge is unknown, used, expired or of another browser: start again. */
export const PASSKEY_CHALLENGE_EXPIRED_TYPE = "/problems/passkey-challenge-expired";
/** 409: the account holds `maxPasskeysPerUser` passkeys already. */
export const PASSKEY_LIMIT_TYPE = "/problems/passkey-limit";
/** 409: a second factor or step-up by passkey for an account that has none. */
export const NO_PASSKEY_TYPE = "/problems/no-passkey";

/**
 * Every refused assertion, whatever the reason (unknown credential, another user's, bad
 * signature, counter gone backwards, no user verification): one answer, so that it tells an
 * attacker nothing about which credentials exist or whose they are.
 */
export const passkeyNotAccepted = () =>
  new ProblemError({
    status: 401,
    type: PASSKEY_NOT_ACCEPTED_TYPE,
    title: "Passkey not accepted",
    detail: "This passkey was not accepted. Try again, or sign in another way.",
  });

/** The challenge is unknown to this browser, expired, already used, or of another ceremony. */
export const challengeExpired = () =>
  new ProblemError({
    status: 401,
    type: PASSKEY_CHALLENGE_EXPIRED_TYPE,
    title: "Start again",
    detail: "This passkey request has expired or was already used. Start again.",
  });

/** Registration answers on the `response` field (the user is signed in: no 401 there). */
export const registrationRefused = (detail: string) =>
  validationError([{ pointer: "/response", detail }], "The passkey could not be added.");

export const passkeyLimit = (max: number) =>
  new ProblemError({
    status: 409,
    type: PASSKEY_LIMIT_TYPE,
    title: "Too many passkeys",
    detail: `An account can hold ${max} passkeys. Remove one you no longer use first.`,
  });

export const noPasskey = () =>
  new ProblemError({
    status: 409,
    type: NO_PASSKEY_TYPE,
    title: "No passkey",
    detail: "This account has no passkey. Use another method.",
  });

export const noSuchPasskey = () => new ProblemError({ status: 404, detail: "No such passkey." });
