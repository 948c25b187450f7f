import { renderMail, type MailContext } from "./layout.js";

/** Sent to the new address of an email change: the switch happens when the link is opened. */
export function confirmEmailChangeMail(
  context: MailContext,
  input: { link: string; minutes: number; newEmail: string },
) {
  return renderMail(context, {
    subject: `Confirm your new email address for ${context.productName}`,
    paragraphs: [
      `You asked to use ${input.newEmail} for your ${context.productName} account.`,
      "Open the link below to confirm it. Until you do, your account keeps its current address.",
    ],
    action: { label: "Confirm my new address", url: input.link },
    footer: [
      `The link works once, for ${input.minutes} minutes.`,
      "If you did not ask for this, ignore this message.",
    ],
  });
}
