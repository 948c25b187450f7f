import { tryDecodeURIComponent } from "hono/utils/url";

/**
 * The value of one cookie in a `Cookie` header, read in a single scan.
 *
 * It answers exactly what `hono/utils/cookie`'s `parse(header, name)[name]` answers (a property
 * test holds it to that) without splitting the header into pairs or running regular
 * expressions on each: it runs on every authenticated request, and Hono's general parser was
 * the largest single cost of the hot path (docs/decisions/004-hot-path-allocations.md).
 * Rules: the first pair named `name` whose value is a valid cookie value wins; spaces and
 * tabs around names and values are ignored; one pair of surrounding double quotes is removed;
 * a value containing `%` is URI-decoded as Hono does.
 */
export function readCookie(header: string, name: string): string | undefined {
  let from = 0;
  for (;;) {
    const at = header.indexOf(name, from);
    if (at === -1) return undefined;
    from = at + 1;
    if (!startsPair(header, at)) continue;
    let cursor = skipBlanks(header, at + name.length);
    if (header.charCodeAt(cursor) !== EQUALS) continue;
    cursor += 1;
    const end = pairEnd(header, cursor);
    const value = cookieValue(header, cursor, end);
    if (value !== undefined) return value;
    from = end;
  }
}

const SEMICOLON = 0x3b;
const EQUALS = 0x3d;
const QUOTE = 0x22;

const isBlank = (code: number) => code === 0x20 || code === 0x09;

/** Only blanks between the previous `;` (or the start) and `at`. */
function startsPair(header: string, at: number): boolean {
  let before = at - 1;
  while (before >= 0 && isBlank(header.charCodeAt(before))) before -= 1;
  return before < 0 || header.charCodeAt(before) === SEMICOLON;
}

function skipBlanks(header: string, from: number): number {
  let cursor = from;
  while (cursor < header.length && isBlank(header.charCodeAt(cursor))) cursor += 1;
  return cursor;
}

function pairEnd(header: string, from: number): number {
  const semicolon = header.indexOf(";", from);
  return semicolon === -1 ? header.length : semicolon;
}

/**
 * RFC 6265 cookie-octets plus the space Hono also accepts: no controls, `"`, `;` or `\`.
 * (A regular expression: several times faster than a `charCodeAt` loop over a 300-character
 * token.)
 */
const COOKIE_VALUE = /^[ !#-:<-[\]-~]*$/;

function cookieValue(header: string, start: number, end: number): string | undefined {
  let first = start;
  let last = end;
  while (first < last && isBlank(header.charCodeAt(first))) first += 1;
  while (last > first && isBlank(header.charCodeAt(last - 1))) last -= 1;
  if (last > first && header.charCodeAt(first) === QUOTE && header.charCodeAt(last - 1) === QUOTE) {
    // A lone `"` counts as an empty quoted value, as in Hono.
    first += 1;
    last = Math.max(first, last - 1);
  }
  const raw = header.slice(first, last);
  if (!COOKIE_VALUE.test(raw)) return undefined;
  return raw.includes("%") ? tryDecodeURIComponent(raw) : raw;
}
