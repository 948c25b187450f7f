import { ProblemError } from "../../http/problem.js";

/**
 * Why a callback ended on the sign-in (or account) page: the `oidc_error` query parameter the
 * SPA maps to a sentence. Never a 500, never an explanation that helps an attacker more than
 * the user.
 */
export const CALLBACK_ERRORS = [
  /** The user said no at the provider. */
  "access_denied",
  /** The provider answered an error (or its API did). */
  "provider_error",
  /** The provider could not be reached. */
  "provider_unavailable",
  /** No flow for this browser: expired, used already (a replayed callback), or another tab's. */
  "expired",
  /** The `state` is not this browser's flow's. */
  "state_mismatch",
  /** The code exchange or the ID token failed a check (PKCE, issuer, audience, nonce, expiry, signature). */
  "invalid_response",
  /** The provider gave no email it vouches for: no account is created or linked with it. */
  "email_unverified",
  /** The provider's email is not one an account here can have (not a plain address, too long). */
  "email_invalid",
  /** This provider account already signs in to another user. */
  "identity_in_use",
  /** The user already has an account of this provider linked. */
  "already_linked",
  /** The account is disabled. */
  "account_disabled",
  /** A step-up with a provider account that is not the signed-in user's. */
  "wrong_account",
  /** The session that started a link or a step-up ended meanwhile. */
  "session_changed",
] as const;
export type CallbackError = (typeof CALLBACK_ERRORS)[number];

/** 404: no provider of that id is configured. */
export const noSuchProvider = () =>
  new ProblemError({ status: 404, detail: "No such sign-in provider." });

/** 409: this provider cannot be asked for a fresh login (GitHub), so it cannot confirm a step-up. */
export const noStepUp = (provider: { name: string }) =>
  new ProblemError({
    status: 409,
    title: "Step-up not available",
    detail: `${provider.name} cannot confirm it's you again. Use another way to confirm.`,
  });

export const noSuchIdentity = () =>
  new ProblemError({ status: 404, detail: "No such connected account." });

/** 409: the link waiting in this browser is for another account than the signed-in one. */
export const LINK_ACCOUNT_MISMATCH_TYPE = "/problems/oidc-link-account-mismatch";
export const linkAccountMismatch = () =>
  new ProblemError({
    status: 409,
    type: LINK_ACCOUNT_MISMATCH_TYPE,
    title: "Another account",
    detail:
      "This connection is waiting for another account. Sign in to that account to confirm it.",
  });

/** 404: no link waits in this browser (expired, used, or cancelled). */
export const NO_PENDING_LINK_TYPE = "/problems/oidc-no-pending-link";
export const noPendingLink = () =>
  new ProblemError({
    status: 404,
    type: NO_PENDING_LINK_TYPE,
    title: "Nothing to connect",
    detail: "This connection request has expired or was already used. Start again.",
  });

/** 409: the provider account was linked to someone meanwhile, or this provider is already linked. */
export const IDENTITY_IN_USE_TYPE = "/problems/oidc-identity-in-use";
export const identityInUse = () =>
  new ProblemError({
    status: 409,
    type: IDENTITY_IN_USE_TYPE,
    title: "Already connected",
    detail:
      "This account of the provider is already connected, or yours already has one of this provider.",
  });
