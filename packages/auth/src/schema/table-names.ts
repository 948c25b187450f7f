/** Turns a table's base name (`users`) into the name in the host's database (`auth_users`). */
export type TableNamer = (base: string) => string;

/** Lower-case letters, digits and `_`, starting with a letter; short enough for any name. */
const PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,19}$/;

/** The problem with a table prefix, or `undefined` when it is usable. */
export function tablePrefixProblem(prefix: string): string | undefined {
  if (prefix === "" || PREFIX_PATTERN.test(prefix)) return undefined;
  return "must be empty or 1–20 lower-case letters, digits or `_`, starting with a letter";
}

export function tableNamer(prefix: string): TableNamer {
  return (base) => `${prefix}${base}`;
}

/** A SQL identifier, double-quoted (names are validated, quotes are doubled anyway). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
