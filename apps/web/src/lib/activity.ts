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
};

/** What an activity entry means to the account's owner. */
export function describeActivity(type: ActivityEvent["type"]): {
  text: string;
  tone: ActivityTone;
} {
  return DESCRIPTIONS[type] ?? { text: type, tone: "neutral" };
}
