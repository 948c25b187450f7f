import type { SealedContent } from "../mail/seal.js";

/** What every template knows. */
export type MailContext = { productName: string };

/** HTML-escapes text for a template (names and addresses come from users). */
export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** One message in both forms: paragraphs of plain text, and the same as simple HTML. */
export type MailParts = {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** Small print after the action (why you got this, what to do if it was not you). */
  footer: string[];
};

/**
 * Renders a message as plain text and as HTML with inline styles (mail clients ignore style
 * sheets), the product's name in the heading. Every value is escaped in the HTML.
 */
export function renderMail(context: MailContext, parts: MailParts): SealedContent {
  const text = [
    ...parts.paragraphs,
    ...(parts.action ? [`${parts.action.label}:\n${parts.action.url}`] : []),
    ...parts.footer,
    `— ${context.productName}`,
  ].join("\n\n");
  const paragraph = (line: string) =>
    `<p style="margin:0 0 16px;line-height:1.5">${escapeHtml(line)}</p>`;
  const action = parts.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(parts.action.url)}" style="background:#2563eb;color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escapeHtml(parts.action.label)}</a></p>` +
      `<p style="margin:0 0 16px;font-size:13px;color:#555">Or paste this link into your browser: ${escapeHtml(parts.action.url)}</p>`
    : "";
  const footer = parts.footer
    .map((line) => `<p style="margin:0 0 8px;font-size:13px;color:#555">${escapeHtml(line)}</p>`)
    .join("");
  const html = `<!doctype html><html><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#111;max-width:560px;margin:0 auto;padding:24px"><h1 style="font-size:20px;margin:0 0 24px">${escapeHtml(context.productName)}</h1>${parts.paragraphs.map(paragraph).join("")}${action}<hr style="border:none;border-top:1px solid #ddd;margin:24px 0">${footer}</body></html>`;
  return { subject: parts.subject, text, html };
}
