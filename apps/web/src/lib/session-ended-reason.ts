/**
 * What the user is told when their session ended, by the server's `reason` (a session-ended
 * 401 problem). Unknown or missing reasons get the plain message.
 */
const MESSAGES: Record<string, string> = {
  signed_out: "You were signed out of this device from another device.",
  signed_out_everywhere: "You were signed out everywhere from one of your devices.",
  revoked_by_admin: "An administrator signed you out.",
  password_changed: "Your password was changed, which signed out your other devices.",
  token_reuse:
    "For your safety we ended this session: its sign-in was used from two places at once.",
  account_disabled: "Your account was disabled.",
  expired: "Your session expired.",
};

export const SESSION_ENDED_FALLBACK = "Your session ended.";

/**
 * @example
 * sessionEndedMessage("expired"); // "Your session expired."
 */
export function sessionEndedMessage(reason: string | null | undefined): string {
  return (reason && MESSAGES[reason]) || SESSION_ENDED_FALLBACK;
}
