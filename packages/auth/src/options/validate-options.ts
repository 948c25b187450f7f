import { DEFAULT_ABUSE_LIMITS } from "../abuse/abuse-limits.js";
import { checkRetentionOptions } from "../retention/options.js";
import { tablePrefixProblem } from "../schema/table-names.js";
import { MIN_SECRET_BYTES, type SigningSecret } from "../tokens/key-ring.js";
import { ASYMMETRIC_ALGORITHMS, signingJwkProblem } from "../tokens/signing-keys.js";
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

function checkAtMost(option: string, value: number | undefined, max: number, why: string): void {
  if (value !== undefined && value > max) {
    throw new AuthConfigError(option, `must be at most ${max} (${why})`);
  }
}

/** `scheme://host[:port]`, exactly as browsers send `Origin` (so never `null`). */
function checkOrigins(origins: unknown): void {
  if (origins === undefined) return;
  if (!Array.isArray(origins)) throw new AuthConfigError("allowedOrigins", "must be an array");
  for (const [index, origin] of origins.entries()) {
    let parsed: URL | undefined;
    try {
      parsed = typeof origin === "string" ? new URL(origin) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol) || parsed.origin !== origin) {
      throw new AuthConfigError(
        `allowedOrigins[${index}]`,
        "must be an origin like https://app.example.com (scheme, host, port; no path; not `null`)",
      );
    }
  }
}

/** Cookie names: RFC 6265 tokens, the two distinct. */
function checkCookieNames(names: AuthOptions["cookieNames"]): void {
  if (names === undefined) return;
  const token = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
  for (const key of ["access", "session", "device", "pending"] as const) {
    if ((key === "device" || key === "pending") && names[key] === undefined) continue;
    if (typeof names[key] !== "string" || !token.test(names[key])) {
      throw new AuthConfigError(`cookieNames.${key}`, "must be 1–64 cookie-token characters");
    }
  }
  const distinct = new Set([
    names.access,
    names.session,
    names.device ?? "auth_device",
    names.pending ?? "auth_pending",
  ]);
  if (distinct.size < 4) {
    throw new AuthConfigError(
      "cookieNames",
      "the access, session, device and pending cookies need four names",
    );
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
  checkSigningKeys(options.signingKeys);
  checkPositiveInteger("accessTokenTtlSeconds", options.accessTokenTtlSeconds);
  // Revocations are held in memory for one access-token lifetime: keep it short.
  checkAtMost("accessTokenTtlSeconds", options.accessTokenTtlSeconds, 3600, "an hour");
  checkPositiveInteger("sessionAbsoluteTtlSeconds", options.sessionAbsoluteTtlSeconds);
  checkPositiveInteger("sessionIdleTtlSeconds", options.sessionIdleTtlSeconds);
  checkPositiveInteger("reauthenticationMaxAgeSeconds", options.reauthenticationMaxAgeSeconds, 10);
  checkAtMost(
    "reauthenticationMaxAgeSeconds",
    options.reauthenticationMaxAgeSeconds,
    86_400,
    "a day",
  );
  checkPositiveInteger("sessionRotationGraceSeconds", options.sessionRotationGraceSeconds, 0);
  checkAtMost(
    "sessionRotationGraceSeconds",
    options.sessionRotationGraceSeconds,
    300,
    "a longer grace hides a stolen session token",
  );
  checkPositiveInteger("maxConcurrentHashes", options.maxConcurrentHashes);
  checkPositiveInteger("maxQueuedHashes", options.maxQueuedHashes);
  checkPositiveInteger("hashThreadNice", options.hashThreadNice, 0);
  checkAtMost("hashThreadNice", options.hashThreadNice, 19, "the lowest priority Linux has");
  checkPositiveInteger("verifiedTokenCacheSize", options.verifiedTokenCacheSize);
  checkPositiveInteger("trustedProxies", options.trustedProxies, 0);
  for (const name of ["getClientIp", "readCookieHeader", "onHookError"] as const) {
    checkFunction(name, options[name]);
  }
  if (options.getClientIp && options.trustedProxies) {
    throw new AuthConfigError("trustedProxies", "has no effect with getClientIp: set one of them");
  }
  for (const name of ["issuer", "audience"] as const) {
    const value = options[name];
    if (value !== undefined && (typeof value !== "string" || value.length === 0)) {
      throw new AuthConfigError(name, "must be a non-empty string");
    }
  }
  checkOrigins(options.allowedOrigins);
  checkCookieNames(options.cookieNames);
  checkLimits(options);
  checkPasswordPolicy(options);
  if (options.userFields !== undefined) checkUserFieldDefinitions(options.userFields);
  checkRetentionOptions(options.retention);
}

/** `signingKeys`: a known algorithm and well-formed JWKs of its family (imported later). */
function checkSigningKeys(option: AuthOptions["signingKeys"]): void {
  if (option === undefined) return;
  if (typeof option !== "object" || option === null) {
    throw new AuthConfigError("signingKeys", "must be { algorithm, current, previous?, next? }");
  }
  for (const key of Object.keys(option)) {
    if (!["algorithm", "current", "previous", "next"].includes(key)) {
      throw new AuthConfigError(
        `signingKeys.${key}`,
        "is not an option (algorithm, current, previous, next)",
      );
    }
  }
  const { algorithm } = option;
  if (!(ASYMMETRIC_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
    throw new AuthConfigError(
      "signingKeys.algorithm",
      `must be ${ASYMMETRIC_ALGORITHMS.join(" or ")} (leave signingKeys out for HS256)`,
    );
  }
  const currentProblem = signingJwkProblem(algorithm, option.current, true);
  if (currentProblem) throw new AuthConfigError("signingKeys.current", currentProblem);
  if (option.previous !== undefined && !Array.isArray(option.previous)) {
    throw new AuthConfigError("signingKeys.previous", "must be an array of JWKs");
  }
  for (const [index, jwk] of (option.previous ?? []).entries()) {
    const problem = signingJwkProblem(algorithm, jwk, false);
    if (problem) throw new AuthConfigError(`signingKeys.previous[${index}]`, problem);
  }
  if (option.next !== undefined) {
    const problem = signingJwkProblem(algorithm, option.next, false);
    if (problem) throw new AuthConfigError("signingKeys.next", problem);
  }
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

function checkLimits(options: AuthOptions): void {
  for (const [key, value] of Object.entries(options.abuseLimits ?? {})) {
    const option = `abuseLimits.${key}`;
    if (!Object.hasOwn(DEFAULT_ABUSE_LIMITS, key)) {
      throw new AuthConfigError(option, "is not a limit (see DEFAULT_ABUSE_LIMITS)");
    }
    if (typeof value === "object" && value !== null) {
      const rate = value as { points?: unknown; seconds?: unknown };
      checkPositiveInteger(`${option}.points`, rate.points);
      checkPositiveInteger(`${option}.seconds`, rate.seconds);
    } else {
      checkPositiveInteger(option, value);
    }
  }
  const store = options.limiterStore as { kind?: unknown } | undefined;
  if (store !== undefined && !["memory", "database", "redis"].includes(String(store?.kind))) {
    throw new AuthConfigError("limiterStore.kind", "must be memory, database or redis");
  }
}

function checkPasswordPolicy(options: AuthOptions): void {
  const policy = options.password ?? {};
  for (const key of ["minLength", "maxLength", "maxBytes"] as const) {
    checkPositiveInteger(`password.${key}`, policy[key]);
  }
  if (policy.minScore !== undefined && ![0, 1, 2, 3, 4].includes(policy.minScore)) {
    throw new AuthConfigError("password.minScore", "must be a zxcvbn score from 0 to 4");
  }
  const min = policy.minLength ?? 8;
  const max = policy.maxLength ?? 256;
  if (min > max) throw new AuthConfigError("password.minLength", "must not exceed maxLength");
  for (const key of ["memoryCost", "timeCost", "parallelism"] as const) {
    checkPositiveInteger(`argon2.${key}`, options.argon2?.[key]);
  }
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
