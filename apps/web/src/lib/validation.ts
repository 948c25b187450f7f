/** Mirrors the server's email rule closely enough to catch typos before a round trip. */
export function emailProblem(raw: string): string | undefined {
  const email = raw.trim();
  if (!email) return "Enter your email address.";
  if (email.length > 254) return "Email must be at most 254 characters.";
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
    return "Enter a valid email address, like name@example.com.";
  return undefined;
}

export function nameProblem(raw: string): string | undefined {
  return raw.trim().length > 100 ? "Name must be at most 100 characters." : undefined;
}

/** "The password must be…" for a server field error like "must be at least 8 characters". */
export function sentence(subject: string, detail: string): string {
  const text = `${subject} ${detail}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
