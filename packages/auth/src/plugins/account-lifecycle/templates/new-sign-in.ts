import { renderMail, type MailContext } from "./layout.js";

/** Sent when a session starts in a browser that never signed in to the account before. */
export function newSignInMail(
  context: MailContext,
  input: { device: string; ip: string | null; when: Date; devicesLink: string },
) {
  return renderMail(context, {
    subject: `New sign-in to your ${context.productName} account`,
    paragraphs: [
      `Your ${context.productName} account was signed in to from a device it had not seen before.`,
      `Device: ${input.device}`,
      `Address: ${input.ip ?? "unknown"}`,
      `Time: ${input.when.toUTCString()}`,
    ],
    action: { label: "Review your devices", url: input.devicesLink },
    footer: [
      "If this was you, there is nothing to do. If not, change your password and sign that device out.",
      "You can turn these messages off on your account page.",
    ],
  });
}
