import { renderMail, type MailContext } from "./layout.js";

/** Sent after the password changed (a reset through a link, or a change while signed in). */
export function passwordChangedMail(
  context: MailContext,
  input: { how: "reset" | "changed"; forgotLink: string },
) {
  return renderMail(context, {
    subject: `Your ${context.productName} password was changed`,
    paragraphs: [
      input.how === "reset"
        ? `The password of your ${context.productName} account was reset with an emailed link, and every device was signed out.`
        : `The password of your ${context.productName} account was changed, and every other device was signed out.`,
    ],
    action: { label: "Not you? Reset your password", url: input.forgotLink },
    footer: ["If this was you, there is nothing more to do."],
  });
}
