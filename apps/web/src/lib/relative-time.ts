const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "long" });
const shortDay = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

/** "just now", "5 minutes ago", "yesterday", "in 3 weeks". */
export function relativeTime(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "minute") {
      return relative.format(Math.round(seconds / size), unit);
    }
  }
  return "just now";
}

/** The full local date and time, for a `title` tooltip or a <time>'s label. */
export function exactTime(iso: string): string {
  return exact.format(new Date(iso));
}

export function longDate(iso: string): string {
  return day.format(new Date(iso));
}

/** "Jan 5, 2030": a date that fits a table cell. */
export function mediumDate(iso: string): string {
  return shortDay.format(new Date(iso));
}
