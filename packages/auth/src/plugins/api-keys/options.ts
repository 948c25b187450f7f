import { AuthConfigError } from "../../options/config-error.js";
import { assertKnownOptions } from "../options.js";

/** The scope that lets a key call `POST /introspect` (always offered). */
export const INTROSPECT_SCOPE = "introspect";

/** What `apiKeys()` is configured with. */
export type ApiKeysOptions = {
  /**
   * The scopes keys can hold, by name with what they allow (`{ "todos:read": "Read your
   * to-dos" }`); `introspect` (token introspection) is always added. Names: lower-case
   * letters, digits, `:`, `_`, `-`, `.`.
   */
  scopes: Readonly<Record<string, string>>;
  /**
   * Starts every secret, for secret scanners to recognise (default `hak_`): 2–10 lower-case
   * letters or digits, then `_`.
   */
  prefix?: string;
  /** Keys one account may hold (default 25, at most 1000). */
  maxKeysPerUser?: number;
  /** How often the last-use times are written, in seconds (default 5). */
  lastUsedFlushSeconds?: number;
  /** Verified keys remembered per process (default 10 000). */
  cacheSize?: number;
};

export type ResolvedApiKeysOptions = {
  scopes: ReadonlyMap<string, string>;
  prefix: string;
  maxKeysPerUser: number;
  lastUsedFlushSeconds: number;
  cacheSize: number;
};

const KNOWN = ["scopes", "prefix", "maxKeysPerUser", "lastUsedFlushSeconds", "cacheSize"];
const SCOPE_NAME = /^[a-z][a-z0-9:_.-]{0,63}$/;
const PREFIX = /^[a-z][a-z0-9]{1,9}_$/;

const fail = (key: string, problem: string) =>
  new AuthConfigError(`plugins.api-keys.${key}`, problem);

function integerIn(key: string, value: unknown, min: number, max: number, fallback: number) {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw fail(key, `must be an integer from ${min} to ${max} (got ${String(value)})`);
  }
  return value;
}

function checkScopes(scopes: unknown): Map<string, string> {
  if (typeof scopes !== "object" || scopes === null || Array.isArray(scopes)) {
    throw fail("scopes", 'is required: { "todos:read": "Read your to-dos", … }');
  }
  const checked = new Map<string, string>();
  for (const [name, description] of Object.entries(scopes)) {
    if (!SCOPE_NAME.test(name)) {
      throw fail(`scopes.${name}`, "must be lower-case letters, digits, ':', '_', '-' or '.'");
    }
    if (name === INTROSPECT_SCOPE) {
      throw fail(`scopes.${name}`, "is built in (token introspection): leave it out");
    }
    if (typeof description !== "string" || description.trim() === "") {
      throw fail(`scopes.${name}`, "needs a description (what a key with it may do)");
    }
    checked.set(name, description);
  }
  if (checked.size === 0) throw fail("scopes", "needs at least one scope");
  checked.set(INTROSPECT_SCOPE, "Check whether access tokens and API keys are valid (RFC 7662)");
  return checked;
}

/**
 * Validates the options eagerly (an `AuthConfigError` names the one at fault) and fills in
 * the defaults.
 *
 * @example
 * resolveApiKeysOptions({ scopes: { "todos:read": "Read your to-dos" } }).prefix // "hak_"
 */
export function resolveApiKeysOptions(options: ApiKeysOptions): ResolvedApiKeysOptions {
  assertKnownOptions("api-keys", options, KNOWN);
  const prefix = options.prefix ?? "hak_";
  if (typeof prefix !== "string" || !PREFIX.test(prefix)) {
    throw fail("prefix", `must be 2–10 lower-case letters or digits and "_" (got "${prefix}")`);
  }
  return {
    scopes: checkScopes(options.scopes),
    prefix,
    maxKeysPerUser: integerIn("maxKeysPerUser", options.maxKeysPerUser, 1, 1000, 25),
    lastUsedFlushSeconds: integerIn(
      "lastUsedFlushSeconds",
      options.lastUsedFlushSeconds,
      1,
      3600,
      5,
    ),
    cacheSize: integerIn("cacheSize", options.cacheSize, 1, 1_000_000, 10_000),
  };
}
