import { renderMail, type MailContext } from "./layout.js";

/** "Reset your password": the link of `POST /password/forgot`. */
export function resetPasswordMail(context: MailContext, input: { link: string; minutes: number }) {
  return renderMail(context, {
    subject: `Reset your ${context.productName} password`,
    paragraphs: [
      `Someone (hopefully you) asked to reset the password of your ${context.productName} account.`,
      "Choose a new password with the link below. Every device signed in to your account will be signed out.",
    ],
    action: { label: "Choose a new password", url: input.link },
    footer: [
      `The link works once, for ${input.minutes} minutes.`,
      "If you did not ask for this, ignore this message: your password stays as it is.",
    ],
  });
}
