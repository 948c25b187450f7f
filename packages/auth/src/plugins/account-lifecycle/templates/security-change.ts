import type { AccountChange } from "../../hooks.js";
import { renderMail, type MailContext } from "./layout.js";

/** The changes to how an account signs in that its owner is told of by mail. */
export const MAILED_SECURITY_CHANGES = new Set<AccountChange>([
  "second_factor_enabled",
  "second_factor_disabled",
  "recovery_codes_regenerated",
  "recovery_code_used",
  "passkey_added",
  "passkey_removed",
  "identity_linked",
  "identity_unlinked",
  "api_key_created",
]);

function sentence(product: string, change: AccountChange, name: string | undefined): string {
  const passkey = name ? `A passkey ("${name}")` : "A passkey";
  switch (change) {
    case "second_factor_enabled":
      return `Two-step sign-in with an authenticator app was turned on for your ${product} account.`;
    case "second_factor_disabled":
      return `Two-step sign-in was turned off for your ${product} account: your password alone now signs you in.`;
    case "recovery_codes_regenerated":
      return `New recovery codes were created for your ${product} account; the old ones no longer work.`;
    case "recovery_code_used":
      return `A recovery code was used to sign in to your ${product} account. Each code works once.`;
    case "identity_linked":
      return `${name ?? "An external account"} was connected to your ${product} account: it can now sign you in.`;
    case "identity_unlinked":
      return `${name ?? "An external account"} was disconnected from your ${product} account: it no longer signs you in.`;
    case "api_key_created":
      return `An API key${name ? ` ("${name}")` : ""} was created for your ${product} account: it can use your account's data within its scopes until it is revoked. Resetting your password revokes every API key.`;
    case "passkey_added":
      return `${passkey} was added to your ${product} account: it can now sign in without a password.`;
    default:
      return `${passkey} was removed from your ${product} account.`;
  }
}

/**
 * Sent when the ways to sign in to an account change (see {@link MAILED_SECURITY_CHANGES}):
 * whoever did it, the owner hears of it at the address they control.
 *
 * @example
 * securityChangeMail(context, { change: "passkey_added", name: "YubiKey", accountLink, forgotLink });
 */
export function securityChangeMail(
  context: MailContext,
  input: { change: AccountChange; name?: string; accountLink: string; forgotLink: string },
) {
  return renderMail(context, {
    subject: `Security change on your ${context.productName} account`,
    paragraphs: [
      sentence(context.productName, input.change, input.name),
      `You can review your two-step sign-in and passkeys on your account page: ${input.accountLink}`,
    ],
    action: { label: "Not you? Reset your password", url: input.forgotLink },
    footer: ["If this was you, there is nothing more to do."],
  });
}
