import { renderMail, type MailContext } from "./layout.js";

/** "Confirm your email address": sent at sign-up and on request. */
export function verifyEmailMail(context: MailContext, input: { link: string; hours: number }) {
  return renderMail(context, {
    subject: `Confirm your email address for ${context.productName}`,
    paragraphs: [
      `Please confirm that this is your email address for your ${context.productName} account.`,
    ],
    action: { label: "Confirm my email address", url: input.link },
    footer: [
      `The link works once, for ${input.hours} hours.`,
      `If you did not create a ${context.productName} account, ignore this message.`,
    ],
  });
}
