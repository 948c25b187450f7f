/**
 * When a new API key stops working, as the create form offers it: never, in 7 / 30 / 90 days,
 * or at the end of a chosen day (the user's local midnight). The server is told an absolute
 * ISO date-time, computed here at the moment of the request.
 */
export type ExpiryChoice = "never" | "7" | "30" | "90" | "custom";

export const EXPIRY_OPTIONS: readonly { value: ExpiryChoice; label: string }[] = [
  { value: "never", label: "Never" },
  { value: "7", label: "In 7 days" },
  { value: "30", label: "In 30 days" },
  { value: "90", label: "In 90 days" },
  { value: "custom", label: "On a date you choose" },
];

const DAY_MS = 24 * 60 * 60 * 1000;

/** `YYYY-MM-DD` of a local day (what `<input type="date">` reads and writes). */
export function localDay(time: number): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** The first day a custom expiry may be: tomorrow (a key that expires today is of little use). */
export function firstCustomDay(now = Date.now()): string {
  return localDay(now + DAY_MS);
}

/** The last moment of a local `YYYY-MM-DD` day, or `null` if it is not a valid date. */
function endOfLocalDay(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const end = new Date(year, month - 1, date, 23, 59, 59, 999);
  // new Date() rolls an impossible date over (Feb 30 → Mar 2): refuse it instead.
  if (end.getFullYear() !== year || end.getMonth() !== month - 1 || end.getDate() !== date) {
    return null;
  }
  return end;
}

/** Why a custom expiry date cannot be used, or `undefined` if it can. */
export function customDayProblem(day: string, now = Date.now()): string | undefined {
  if (!day) return "Choose the day the key stops working.";
  const end = endOfLocalDay(day);
  if (!end) return "Enter a valid date.";
  if (day < firstCustomDay(now)) return "Choose a day after today.";
  return undefined;
}

/**
 * The `expiresAt` to send for a choice: `null` for never, an ISO date-time otherwise, or
 * `undefined` when the custom day is not valid (see {@link customDayProblem}).
 *
 * @example
 * expiresAtFor("30", "", Date.parse("2030-01-01T00:00:00Z")); // "2030-01-31T00:00:00.000Z"
 * expiresAtFor("never", "");                                  // null
 */
export function expiresAtFor(
  choice: ExpiryChoice,
  customDay: string,
  now = Date.now(),
): string | null | undefined {
  if (choice === "never") return null;
  if (choice === "custom") {
    if (customDayProblem(customDay, now)) return undefined;
    return endOfLocalDay(customDay)!.toISOString();
  }
  return new Date(now + Number(choice) * DAY_MS).toISOString();
}

/** Whether a key's expiry has passed (a key without one never expires). */
export function isExpired(key: { expiresAt: string | null }, now = Date.now()): boolean {
  return key.expiresAt !== null && Date.parse(key.expiresAt) <= now;
}

/**
 * The shell command that tries a new key: list the to-dos with it.
 *
 * @example
 * curlExample("hak_abc123", "https://tidy.example");
 * // 'curl -H "Authorization: Bearer hak_abc123" https://tidy.example/api/todos'
 */
export function curlExample(secret: string, origin: string): string {
  return `curl -H "Authorization: Bearer ${secret}" ${origin.replace(/\/+$/, "")}/api/todos`;
}
