import { renderMail, type MailContext } from "./layout.js";

/** Sent to the current address when someone asks to move the account to another one. */
export function emailChangeNoticeMail(
  context: MailContext,
  input: { newEmail: string; signInLink: string },
) {
  return renderMail(context, {
    subject: `Your ${context.productName} email address is being changed`,
    paragraphs: [
      `Someone signed in to your ${context.productName} account asked to change its email address to ${input.newEmail}.`,
      "Nothing changes until the link sent to that address is opened.",
    ],
    action: { label: `Review your account`, url: input.signInLink },
    footer: [
      "If this was not you, sign in, change your password and sign out everywhere: that also cancels the change.",
    ],
  });
}
