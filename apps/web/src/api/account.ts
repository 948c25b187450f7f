import { api, send, type User } from "./client";

/**
 * The account-lifecycle routes (email verification, password reset, email change, profile,
 * export, deletion, notification settings) through the typed client: paths, bodies and
 * answers are checked against the server's routes. The pages call these, never the client.
 */

/** A user as `GET /me` answers it. */
export type AccountUser = User;

export type NotificationSettings = { newSignInAlerts: boolean };

/** The `message` of a 202, or a fallback when the body is not what we expect. */
async function messageOf(response: { json(): Promise<unknown> }, fallback: string) {
  try {
    const body = (await response.json()) as { message?: unknown };
    return typeof body.message === "string" ? body.message : fallback;
  } catch {
    return fallback;
  }
}

const auth = api.auth;

export const account = {
  /** Mails a new verification link to the signed-in user (409 if already verified). */
  async requestVerification(): Promise<string> {
    const response = await send(auth.email.verify.request.$post());
    return messageOf(response, "We sent you a new verification link.");
  },

  /** The signed-out variant (e.g. from the sign-in page): always 202, whether or not it sent. */
  async requestVerificationFor(email: string): Promise<string> {
    const response = await send(auth.email.verify.request.$post({ json: { email } }));
    return messageOf(response, "If that account needs it, a new link is on its way.");
  },

  async verifyEmail(token: string): Promise<void> {
    await send(auth.email.verify.$post({ json: { token } }));
  },

  /** Always 202 with the same answer, whether or not an account has this email. */
  async forgotPassword(email: string): Promise<string> {
    const response = await send(auth.password.forgot.$post({ json: { email } }));
    return messageOf(response, "If an account uses this email, a reset link is on its way.");
  },

  /** Whether a reset link still works (400 when used, expired or overtaken). */
  async checkResetLink(token: string): Promise<void> {
    await send(auth.password.reset.check.$post({ json: { token } }));
  },

  /** Every session of the user ends, this browser's included. */
  async resetPassword(token: string, newPassword: string): Promise<void> {
    await send(auth.password.reset.$post({ json: { token, newPassword } }));
  },

  /** Mails a confirmation link to the new address; the email changes when it is opened. */
  async changeEmail(newEmail: string, password: string): Promise<string> {
    const response = await send(auth.email.change.$post({ json: { newEmail, password } }));
    return messageOf(response, `We sent a confirmation link to ${newEmail}.`);
  },

  async confirmEmailChange(token: string): Promise<void> {
    await send(auth.email.change.confirm.$post({ json: { token } }));
  },

  /** `null` clears the name. */
  async updateName(name: string | null): Promise<AccountUser> {
    const response = await send(auth.me.$patch({ json: { name } }));
    return (await response.json()).user;
  },

  /** Deletes the account and all its data; the server clears the cookies. */
  async deleteAccount(password: string): Promise<void> {
    await send(auth.me.$delete({ json: { password } }));
  },

  /** The account's data as a JSON file, and the name the server suggests for it. */
  async exportData(): Promise<{ blob: Blob; filename: string | undefined }> {
    const response = await send(auth.me.export.$get());
    return {
      blob: await response.blob(),
      filename: filenameFromDisposition(response.headers.get("Content-Disposition")),
    };
  },

  async notificationSettings(): Promise<NotificationSettings> {
    const response = await send(auth.me.notifications.$get());
    return response.json();
  },

  async updateNotificationSettings(settings: NotificationSettings): Promise<NotificationSettings> {
    const response = await send(auth.me.notifications.$patch({ json: settings }));
    return response.json();
  },
};

/**
 * The file name of a `Content-Disposition: attachment` header (RFC 6266): `filename*` (UTF-8,
 * percent-encoded) wins over `filename`. Path separators and control characters are dropped,
 * so the name can only ever be a plain file name.
 */
export function filenameFromDisposition(header: string | null): string | undefined {
  if (!header) return undefined;
  let name: string | undefined;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[2]!.trim().replace(/^"|"$/g, ""));
    } catch {
      name = undefined;
    }
  }
  if (!name) {
    const plain = /filename\s*=\s*(?:"((?:\\.|[^"\\])*)"|([^;\s]+))/i.exec(header);
    name = plain ? (plain[1]?.replace(/\\(.)/g, "$1") ?? plain[2]) : undefined;
  }
  // eslint-disable-next-line no-control-regex
  const safe = name?.replace(/[/\\\u0000-\u001f\u007f]/g, "").trim();
  return safe && safe !== "." && safe !== ".." ? safe : undefined;
}
