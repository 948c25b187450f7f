import { DEFAULT_ABUSE_LIMITS } from "../abuse/abuse-limits.js";
import { tablePrefixProblem } from "../schema/table-names.js";
import { MIN_SECRET_BYTES, type SigningSecret } from "../tokens/key-ring.js";
import { checkUserFieldDefinitions } from "../users/user-fields.js";
import { AUTH_OPTION_NAMES, type AuthOptions } from "./auth-options.js";
import { AuthConfigError } from "./config-error.js";

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,39}$/;

function bytesOf(secret: SigningSecret): Uint8Array {
  return typeof secret === "string" ? new TextEncoder().encode(secret) : secret;
}

/** Long enough, and not a short pattern repeated (`aaaa…`, `abcabc…`): HS256 needs entropy. */
function secretProblem(secret: unknown): string | undefined {
  if (typeof secret !== "string" && !(secret instanceof Uint8Array)) {
    return "must be a string or a Uint8Array";
  }
  const bytes = bytesOf(secret);
  if (bytes.byteLength < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (generate one: openssl rand -base64 48)`;
  }
  if (new Set(bytes).size < 10) return "is too repetitive to be a secret (use random bytes)";
  return undefined;
}

function isDrizzleDatabase(db: unknown): boolean {
  const candidate = db as Record<string, unknown> | null | undefined;
  return (
    typeof candidate === "object" &&
    candidate !== null &&
    typeof candidate["transaction"] === "function" &&
    typeof candidate["select"] === "function" &&
    typeof candidate["execute"] === "function"
  );
}

function checkPositiveInteger(option: string, value: unknown, min = 1): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw new AuthConfigError(option, `must be an integer ≥ ${min} (got ${String(value)})`);
  }
}

function checkFunction(option: string, value: unknown): void {
  if (value !== undefined && typeof value !== "function") {
    throw new AuthConfigError(option, "must be a function");
  }
}

/**
 * Checks every option before anything is built, so a misconfigured host fails at start with
 * the option named, never on a request. Unknown options are refused: a typo must not fall
 * back to a default silently.
 */
export function validateAuthOptions(options: AuthOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new AuthConfigError("options", "createAuth takes an options object");
  }
  for (const key of Object.keys(options)) {
    if (!(AUTH_OPTION_NAMES as string[]).includes(key)) {
      throw new AuthConfigError(key, "is not an option (see the package README's options table)");
    }
  }
  validateSchemaOptions(options);
  const problem = secretProblem(options.secret);
  if (problem) throw new AuthConfigError("secret", problem);
  for (const [index, previous] of (options.previousSecrets ?? []).entries()) {
    const previousProblem = secretProblem(previous);
    if (previousProblem) throw new AuthConfigError(`previousSecrets[${index}]`, previousProblem);
  }
  checkPositiveInteger("accessTokenTtlSeconds", options.accessTokenTtlSeconds);
  checkPositiveInteger("sessionAbsoluteTtlSeconds", options.sessionAbsoluteTtlSeconds);
  checkPositiveInteger("sessionIdleTtlSeconds", options.sessionIdleTtlSeconds);
  checkPositiveInteger("sessionRotationGraceSeconds", options.sessionRotationGraceSeconds, 0);
  checkPositiveInteger("maxConcurrentHashes", options.maxConcurrentHashes);
  checkPositiveInteger("verifiedTokenCacheSize", options.verifiedTokenCacheSize);
  checkPositiveInteger("trustedProxies", options.trustedProxies, 0);
  for (const name of ["getClientIp", "readCookieHeader"] as const) {
    checkFunction(name, options[name]);
  }
  if (options.getClientIp && options.trustedProxies) {
    throw new AuthConfigError("trustedProxies", "has no effect with getClientIp: set one of them");
  }
  for (const [key, value] of Object.entries(options.abuseLimits ?? {})) {
    if (!(key in DEFAULT_ABUSE_LIMITS)) {
      throw new AuthConfigError(`abuseLimits.${key}`, "is not a limit (see DEFAULT_ABUSE_LIMITS)");
    }
    if (typeof value === "number") checkPositiveInteger(`abuseLimits.${key}`, value);
  }
  if (options.userFields !== undefined) checkUserFieldDefinitions(options.userFields);
}

/** The options that decide the schema: `db`, `tablePrefix`, `plugins`. */
export function validateSchemaOptions(
  options: Pick<AuthOptions, "db" | "tablePrefix" | "plugins">,
): void {
  if (!isDrizzleDatabase(options.db)) {
    throw new AuthConfigError(
      "db",
      "is required: a drizzle PostgreSQL database (PGlite, postgres.js…)",
    );
  }
  const prefix = options.tablePrefix ?? "";
  const prefixProblem =
    typeof prefix === "string" ? tablePrefixProblem(prefix) : "must be a string";
  if (prefixProblem) throw new AuthConfigError("tablePrefix", prefixProblem);
  checkPlugins(options);
}

function checkPlugins(options: Pick<AuthOptions, "plugins">): void {
  const ids = new Set<string>();
  for (const [index, plugin] of (options.plugins ?? []).entries()) {
    const id: unknown = plugin?.id;
    if (typeof id !== "string" || !PLUGIN_ID.test(id)) {
      throw new AuthConfigError(`plugins[${index}].id`, "must be lower-case letters, digits, `-`");
    }
    if (ids.has(id)) throw new AuthConfigError(`plugins[${index}]`, `${id} is installed twice`);
    ids.add(id);
    checkFunction(`plugins.${id}.setup`, plugin.setup);
  }
}
