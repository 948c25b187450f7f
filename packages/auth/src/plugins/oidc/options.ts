import { AuthConfigError } from "../../options/config-error.js";
import { assertKnownOptions } from "../options.js";
import { decodeKeys } from "../two-factor/options.js";
import { SecretBox } from "../two-factor/secret-box.js";

/** The claims (or GitHub profile) a provider answered with, as the plugin reads them. */
export type ProviderClaims = Readonly<Record<string, unknown>>;

/**
 * One provider users can sign in with. Build it with a preset (`googleProvider`,
 * `microsoftProvider`, `githubProvider`) or `oidcProvider` for any OpenID Connect issuer.
 */
export type OidcProviderConfig = {
  /** Lower-case letters, digits and `-` (1–32): in URLs and in the sessions' methods (`oidc:<id>`). */
  id: string;
  /** What the buttons and the account page call it ("Google"). */
  name: string;
  /**
   * `oidc`: an OpenID Connect issuer found by discovery, users known by their ID token.
   * `github`: GitHub's OAuth 2 apps (not OpenID Connect), users known by its REST API.
   */
  kind: "oidc" | "github";
  /** The issuer URL (`https://accounts.google.com`); https, or http on a loopback host only. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /**
   * The exact redirect URI registered at the provider, ending in `/oidc/<id>/callback` under
   * the host's auth path: `https://app.example.com/api/auth/oidc/google/callback`.
   */
  redirectUri: string;
  /** Scopes asked for (default `openid email profile`; GitHub: `read:user user:email`). */
  scopes?: readonly string[];
  /** The one JWS algorithm the ID token must be signed with (default `RS256`): pinned. */
  idTokenAlgorithm?: string;
  /**
   * Whether the provider vouches for the email in these claims (default: the standard
   * `email_verified` claim is `true`). An unverified email never creates or links an account.
   */
  emailVerified?: (claims: ProviderClaims) => boolean;
  /** Extra authorization-request parameters (`{ prompt: "select_account" }`, `{ hd: "example.com" }`). */
  authorizationParams?: Readonly<Record<string, string>>;
  /** GitHub only: its endpoints (tests and GitHub Enterprise Server point them elsewhere). */
  endpoints?: { authorization: string; token: string; api: string };
  /** Requests to the provider go through this `fetch` (a proxy; tests). */
  fetch?: typeof fetch;
  /** Seconds a request to the provider may take (default 10). */
  timeoutSeconds?: number;
};

/** What `oidc()` is configured with. */
export type OidcOptions = {
  /** The providers, in the order the buttons show them; none → the plugin offers nothing. */
  providers: readonly OidcProviderConfig[];
  /**
   * Where the callback sends the browser, paths on the app's own origin: `signedIn` after a
   * sign-in (default `/`), `signIn` for errors and the link confirmation (default `/sign-in`),
   * `account` after linking or a step-up (default `/account`).
   */
  redirects?: { signedIn?: string; signIn?: string; account?: string };
  /**
   * Keep the provider's access and refresh tokens (default `false`: they are dropped once the
   * user is known). Kept tokens are encrypted at rest with `encryptionKeys`.
   */
  keepTokens?: boolean;
  /** Keys (base64 of 32 bytes; the first encrypts) for kept tokens: required with `keepTokens`. */
  encryptionKeys?: readonly string[];
  /** Seconds a flow (leaving for the provider and coming back) may take (default 600, 60–3600). */
  flowSeconds?: number;
  /** Told of unexpected failures in a callback (the user lands on the sign-in page regardless). */
  onError?: (error: unknown) => void;
};

export type ResolvedProvider = Required<
  Pick<OidcProviderConfig, "id" | "name" | "kind" | "issuer" | "clientId" | "clientSecret">
> & {
  redirectUri: URL;
  scopes: readonly string[];
  idTokenAlgorithm: string;
  emailVerified: (claims: ProviderClaims) => boolean;
  authorizationParams: Readonly<Record<string, string>>;
  endpoints: { authorization: string; token: string; api: string } | undefined;
  fetch: typeof fetch | undefined;
  timeoutSeconds: number;
  /** http to a loopback issuer (development and tests). */
  insecure: boolean;
};

export type ResolvedOidcOptions = {
  providers: ReadonlyMap<string, ResolvedProvider>;
  redirects: { signedIn: string; signIn: string; account: string };
  tokenBox: SecretBox | undefined;
  flowSeconds: number;
  /** Every redirect URI is https: the flow cookies are then `__Host-` and `Secure`. */
  secureCookies: boolean;
  onError: (error: unknown) => void;
};

const KNOWN = ["providers", "redirects", "keepTokens", "encryptionKeys", "flowSeconds", "onError"];
const PROVIDER_KNOWN = [
  "id",
  "name",
  "kind",
  "issuer",
  "clientId",
  "clientSecret",
  "redirectUri",
  "scopes",
  "idTokenAlgorithm",
  "emailVerified",
  "authorizationParams",
  "endpoints",
  "fetch",
  "timeoutSeconds",
];
const ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;
const ALGORITHMS = new Set([
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
  "EdDSA",
  "Ed25519",
]);
const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

const fail = (key: string, problem: string) => new AuthConfigError(`plugins.oidc.${key}`, problem);

/** The standard claim: the provider says it verified the address. */
export const standardEmailVerified = (claims: ProviderClaims) => claims["email_verified"] === true;

function nonEmpty(value: unknown, key: string, what: string): string {
  if (typeof value !== "string" || value.trim() === "") throw fail(key, `is required: ${what}`);
  return value.trim();
}

function webUrl(value: unknown, key: string, what: string): { url: URL; insecure: boolean } {
  let url: URL;
  try {
    url = new URL(nonEmpty(value, key, what));
  } catch (error) {
    if (error instanceof AuthConfigError) throw error;
    throw fail(key, `must be an absolute URL (${what})`);
  }
  if (url.protocol === "https:") return { url, insecure: false };
  if (url.protocol === "http:" && LOOPBACK.has(url.hostname)) return { url, insecure: true };
  throw fail(key, `must use https (http only on localhost or a loopback address): "${url.href}"`);
}

function path(value: unknown, key: string, fallback: string): string {
  const chosen = value ?? fallback;
  if (typeof chosen !== "string" || !chosen.startsWith("/") || chosen.startsWith("//")) {
    throw fail(key, 'must be a path on the app\'s own origin, like "/sign-in"');
  }
  return chosen;
}

function resolveProvider(raw: OidcProviderConfig, index: number): ResolvedProvider {
  const at = (key: string) => `providers.${index}.${key}`;
  if (typeof raw !== "object" || raw === null)
    throw fail(`providers.${index}`, "must be an object");
  for (const key of Object.keys(raw)) {
    if (!PROVIDER_KNOWN.includes(key)) {
      throw fail(at(key), `is not a provider option (known: ${PROVIDER_KNOWN.join(", ")})`);
    }
  }
  const id = nonEmpty(raw.id, at("id"), 'a short name like "google"');
  if (!ID.test(id))
    throw fail(at("id"), `must be 1–32 lower-case letters, digits or "-" ("${id}")`);
  // The plugin's own paths under /oidc/.
  if (id === "link" || id === "providers") throw fail(at("id"), `"${id}" is reserved`);
  const name = nonEmpty(raw.name, at("name"), 'what the button says, like "Google"');
  if (name.length > 40) throw fail(at("name"), "must be at most 40 characters");
  if (raw.kind !== "oidc" && raw.kind !== "github")
    throw fail(at("kind"), 'must be "oidc" or "github"');
  const issuer = webUrl(raw.issuer, at("issuer"), "the issuer URL");
  const clientId = nonEmpty(raw.clientId, at("clientId"), "the client id the provider gave");
  const clientSecret = nonEmpty(raw.clientSecret, at("clientSecret"), "the client secret");
  const redirect = webUrl(raw.redirectUri, at("redirectUri"), "the exact callback URL");
  if (!redirect.url.pathname.endsWith(`/oidc/${id}/callback`) || redirect.url.search !== "") {
    throw fail(
      at("redirectUri"),
      `must be the callback of this provider under the auth routes, ending in /oidc/${id}/callback ("${redirect.url.href}")`,
    );
  }
  const scopes =
    raw.scopes ??
    (raw.kind === "github" ? ["read:user", "user:email"] : ["openid", "email", "profile"]);
  if (
    !Array.isArray(scopes) ||
    scopes.some((s) => typeof s !== "string" || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  ) {
    throw fail(at("scopes"), "must be an array of scope names");
  }
  if (raw.kind === "oidc" && !scopes.includes("openid")) {
    throw fail(at("scopes"), 'must include "openid" for an OpenID Connect provider');
  }
  const idTokenAlgorithm = raw.idTokenAlgorithm ?? "RS256";
  if (!ALGORITHMS.has(idTokenAlgorithm)) {
    throw fail(
      at("idTokenAlgorithm"),
      `must be an asymmetric JWS algorithm like RS256 or ES256 ("${idTokenAlgorithm}")`,
    );
  }
  if (raw.emailVerified !== undefined && typeof raw.emailVerified !== "function") {
    throw fail(at("emailVerified"), "must be a function of the claims");
  }
  if (raw.fetch !== undefined && typeof raw.fetch !== "function")
    throw fail(at("fetch"), "must be a function");
  const timeoutSeconds = raw.timeoutSeconds ?? 10;
  if (!Number.isInteger(timeoutSeconds) || timeoutSeconds < 1 || timeoutSeconds > 60) {
    throw fail(at("timeoutSeconds"), "must be an integer from 1 to 60");
  }
  let endpoints: ResolvedProvider["endpoints"];
  if (raw.kind === "github") {
    const given = raw.endpoints ?? GITHUB_ENDPOINTS;
    endpoints = {
      authorization: webUrl(given.authorization, at("endpoints.authorization"), "the authorize URL")
        .url.href,
      token: webUrl(given.token, at("endpoints.token"), "the token URL").url.href,
      api: webUrl(given.api, at("endpoints.api"), "the REST API's base URL").url.href.replace(
        /\/$/,
        "",
      ),
    };
  } else if (raw.endpoints !== undefined) {
    throw fail(at("endpoints"), "is for GitHub only (OpenID providers are found by discovery)");
  }
  return {
    id,
    name,
    kind: raw.kind,
    issuer:
      raw.kind === "oidc" ? issuer.url.href.replace(/\/$/, "") : issuer.url.href.replace(/\/$/, ""),
    clientId,
    clientSecret,
    redirectUri: redirect.url,
    scopes: [...scopes],
    idTokenAlgorithm,
    emailVerified: raw.emailVerified ?? standardEmailVerified,
    authorizationParams: { ...(raw.authorizationParams ?? {}) },
    endpoints,
    fetch: raw.fetch,
    timeoutSeconds,
    insecure:
      issuer.insecure || redirect.insecure || (endpoints?.token.startsWith("http:") ?? false),
  };
}

export const GITHUB_ENDPOINTS = {
  authorization: "https://github.com/login/oauth/authorize",
  token: "https://github.com/login/oauth/access_token",
  api: "https://api.github.com",
} as const;

/** Every option checked at start-up; an `AuthConfigError` names the one at fault. */
export function resolveOidcOptions(options: OidcOptions): ResolvedOidcOptions {
  if (typeof options !== "object" || options === null || !Array.isArray(options.providers)) {
    throw fail(
      "providers",
      "is required: oidc({ providers: [googleProvider({…}), …] }) (may be empty)",
    );
  }
  assertKnownOptions("oidc", options, KNOWN);
  const providers = new Map<string, ResolvedProvider>();
  options.providers.forEach((raw, index) => {
    const provider = resolveProvider(raw, index);
    if (providers.has(provider.id)) throw fail(`providers.${index}.id`, `repeats "${provider.id}"`);
    providers.set(provider.id, provider);
  });
  const keepTokens = options.keepTokens ?? false;
  if (typeof keepTokens !== "boolean") throw fail("keepTokens", "must be true or false");
  let tokenBox: SecretBox | undefined;
  if (keepTokens) tokenBox = new SecretBox(decodeKeys(options.encryptionKeys, "oidc"));
  else if (options.encryptionKeys !== undefined) {
    throw fail("encryptionKeys", "is only used with keepTokens: true");
  }
  const flowSeconds = options.flowSeconds ?? 600;
  if (!Number.isInteger(flowSeconds) || flowSeconds < 60 || flowSeconds > 3600) {
    throw fail("flowSeconds", "must be an integer from 60 to 3600");
  }
  if (options.onError !== undefined && typeof options.onError !== "function") {
    throw fail("onError", "must be a function");
  }
  const redirects = options.redirects ?? {};
  return {
    providers,
    redirects: {
      signedIn: path(redirects.signedIn, "redirects.signedIn", "/"),
      signIn: path(redirects.signIn, "redirects.signIn", "/sign-in"),
      account: path(redirects.account, "redirects.account", "/account"),
    },
    tokenBox,
    flowSeconds,
    secureCookies:
      [...providers.values()].every((p) => p.redirectUri.protocol === "https:") &&
      providers.size > 0,
    onError: options.onError ?? ((error) => console.error("auth: an OpenID sign-in failed", error)),
  };
}
