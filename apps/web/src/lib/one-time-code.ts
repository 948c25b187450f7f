/** A code as typed or pasted ("123 456", "123-456"): its digits only. */
export function totpDigits(raw: string): string {
  return raw.replace(/[\s-]/g, "");
}

/** Why a typed authenticator code cannot be right, or undefined when it looks like one. */
export function totpProblem(raw: string): string | undefined {
  const digits = totpDigits(raw);
  if (!digits) return "Enter the 6-digit code from your authenticator app.";
  if (!/^\d{6}$/.test(digits)) return "The code is 6 digits, like 123456.";
  return undefined;
}

/** The server refused an authenticator code (wrong, or already used in its 30 seconds). */
export const WRONG_TOTP_CODE =
  "That code is not right (or was already used). Wait for the next one and try again.";

/** Why a typed recovery code cannot be right (the server normalises case, dashes and spaces). */
export function recoveryCodeProblem(raw: string): string | undefined {
  const compact = raw.replace(/[\s-]/g, "");
  if (!compact) return "Enter one of your recovery codes.";
  if (compact.length < 8) return "That's too short for a recovery code.";
  return undefined;
}

/** A TOTP secret for typing by hand: groups of 4 ("JBSW Y3DP EHPK 3PXP"). */
export function groupSecret(secret: string, size = 4): string {
  const compact = secret.replace(/\s+/g, "").toUpperCase();
  return compact.match(new RegExp(`.{1,${size}}`, "g"))?.join(" ") ?? "";
}

/** The text file of saved recovery codes. */
export function recoveryCodesFile(codes: readonly string[], account: string, now = new Date()) {
  return [
    "Tidy recovery codes",
    `Account: ${account}`,
    `Created: ${now.toISOString().slice(0, 10)}`,
    "",
    "Each code signs you in once, instead of a code from your authenticator app.",
    "Keep them somewhere safe (a password manager, or printed).",
    "",
    ...codes,
    "",
  ].join("\n");
}
