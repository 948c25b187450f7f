import { renderMail, type MailContext } from "./layout.js";

/** Sent to the old address once an email change is confirmed. */
export function emailChangedMail(
  context: MailContext,
  input: { newEmail: string; forgotLink: string },
) {
  return renderMail(context, {
    subject: `Your ${context.productName} email address was changed`,
    paragraphs: [
      `Your ${context.productName} account now uses ${input.newEmail}; this address no longer signs in to it.`,
    ],
    action: { label: "Not you? Get help signing in", url: input.forgotLink },
    footer: [
      "If you did not make this change, reply to this message or contact support: someone may have taken over your account.",
    ],
  });
}
