import type { ActivityEvent } from "../api/client";

export type ActivityTone = "neutral" | "good" | "warning" | "danger";

type Description = { text: string; tone: ActivityTone };

/**
 * Every event type the server knows must be described (a missing one fails the typecheck); the
 * index signature lets this list run ahead of the server's (the account-lifecycle events).
 */
const DESCRIPTIONS: Record<ActivityEvent["type"], Description> & Record<string, Description> = {
  signed_up: { text: "Account created", tone: "good" },
  signed_in: { text: "Signed in", tone: "good" },
  sign_in_failed: { text: "Failed sign-in attempt", tone: "warning" },
  sign_in_throttled: { text: "Sign-in attempts paused after repeated failures", tone: "danger" },
  signed_out: { text: "Signed out", tone: "neutral" },
  session_revoked: { text: "A device was logged out", tone: "neutral" },
  signed_out_everywhere: { text: "Logged out everywhere", tone: "neutral" },
  signed_out_others: { text: "Other devices were logged out", tone: "neutral" },
  password_changed: { text: "Password changed", tone: "neutral" },
  token_reuse_detected: {
    text: "A stolen session token was used — that session was ended",
    tone: "danger",
  },
  email_verified: { text: "Email address verified", tone: "good" },
  password_reset_requested: { text: "Password reset link requested", tone: "neutral" },
  password_reset: {
    text: "Password reset from an emailed link — every device was signed out",
    tone: "neutral",
  },
  email_change_requested: { text: "Email change requested", tone: "neutral" },
  email_changed: { text: "Email address changed", tone: "neutral" },
  profile_updated: { text: "Profile updated", tone: "neutral" },
  password_check_failed: {
    text: "Wrong password given while signed in (changing the password or email, or deleting the account)",
    tone: "warning",
  },
  // Second factors, passkeys and step-up (issue 15).
  second_factor_requested: {
    text: "Correct password entered — the sign-in waited for your second step",
    tone: "warning",
  },
  second_factor_enabled: { text: "Two-step sign-in turned on (authenticator app)", tone: "good" },
  second_factor_disabled: { text: "Two-step sign-in turned off", tone: "warning" },
  recovery_codes_regenerated: {
    text: "New recovery codes created — the old ones no longer work",
    tone: "neutral",
  },
  recovery_code_used: { text: "Signed in with a recovery code", tone: "warning" },
  passkey_added: { text: "Passkey added", tone: "good" },
  passkey_removed: { text: "Passkey removed", tone: "warning" },
  second_factor_failed: {
    text: "Wrong second-step code given after a correct password",
    tone: "danger",
  },
  reauthenticated: { text: "Identity confirmed for a sensitive change", tone: "neutral" },
  reauthentication_failed: {
    text: "Failed attempt to confirm your identity for a sensitive change",
    tone: "warning",
  },
  // Sign-in with OpenID Connect / OAuth 2 providers (issue 17).
  identity_linked: { text: "A sign-in provider was connected", tone: "good" },
  identity_unlinked: { text: "A sign-in provider was disconnected", tone: "warning" },
  // API keys for scripts and services (issue 18).
  api_key_created: { text: "An API key was created", tone: "warning" },
  api_key_revoked: { text: "An API key was revoked", tone: "neutral" },
  // Done by an administrator (issue 14).
  role_changed: { text: "Your role was changed by an administrator", tone: "warning" },
  account_disabled: { text: "Your account was disabled by an administrator", tone: "danger" },
  account_enabled: { text: "Your account was enabled again by an administrator", tone: "good" },
  signed_out_by_admin: { text: "An administrator signed you out everywhere", tone: "warning" },
  session_revoked_by_admin: {
    text: "An administrator logged out one of your devices",
    tone: "warning",
  },
};

/**
 * How an administrator reads the same entries on someone else's account page: in the third
 * person (the page names the administrator who did it).
 */
const ADMIN_VIEW: Record<string, Description> = {
  role_changed: { text: "Role changed", tone: "warning" },
  account_disabled: { text: "Account disabled", tone: "danger" },
  account_enabled: { text: "Account enabled again", tone: "good" },
  signed_out_by_admin: { text: "Signed out everywhere by an administrator", tone: "warning" },
  session_revoked_by_admin: {
    text: "A device was logged out by an administrator",
    tone: "warning",
  },
};

/**
 * What an activity entry means to the account's owner, or (`"admin"`) to an administrator
 * looking at that account. Unknown types show as they are.
 */
export function describeActivity(
  type: ActivityEvent["type"] | (string & {}),
  perspective: "owner" | "admin" = "owner",
): Description {
  return (
    (perspective === "admin" ? ADMIN_VIEW[type] : undefined) ??
    DESCRIPTIONS[type] ?? { text: type, tone: "neutral" }
  );
}

/**
 * What one entry says, with the facts it carries: a single device logged out names that
 * device (`detail.device`, recorded by the server since issue 16; older entries read as
 * before).
 */
export function describeEvent(
  event: { type: ActivityEvent["type"] | (string & {}); detail?: Readonly<Record<string, string>> },
  perspective: "owner" | "admin" = "owner",
): Description {
  const described = describeActivity(event.type, perspective);
  const provider = event.detail?.name;
  if (provider && event.type === "identity_linked") {
    return { ...described, text: `${provider} connected: it can sign you in` };
  }
  if (provider && event.type === "identity_unlinked") {
    return { ...described, text: `${provider} disconnected` };
  }
  const device = event.detail?.device;
  if (!device) return described;
  if (event.type === "session_revoked") return { ...described, text: `Logged out ${device}` };
  if (event.type === "session_revoked_by_admin") {
    const text =
      perspective === "admin"
        ? `${device} was logged out by an administrator`
        : `An administrator logged out ${device}`;
    return { ...described, text };
  }
  return described;
}
