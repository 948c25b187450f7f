import * as oidc from "openid-client";
import type { ProviderClaims, ResolvedProvider } from "./options.js";

/** Who the provider says signed in, once every check passed. */
export type ProviderProfile = {
  issuer: string;
  /** The provider's stable id of the user (`sub`; GitHub's numeric id). */
  subject: string;
  email: string | null;
  /** The provider vouches for `email` (see `OidcProviderConfig.emailVerified`). */
  emailVerified: boolean;
  name: string | null;
  /**
   * When the user last authenticated at the provider (the ID token's `auth_time`), or `null`
   * when the provider does not say (GitHub; most OpenID providers unless asked with `max_age`).
   */
  authTime: Date | null;
  tokens: { access: string; refresh: string | undefined; expiresAt: Date | undefined };
};

/**
 * The `max_age` of a sign-in or link request (30 days): a provider login older than that is
 * asked for again; younger ones are used, and their `auth_time` comes back in the ID token.
 */
export const SIGN_IN_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** What the callback must see again: kept sealed in the browser's flow cookie. */
export type FlowSecrets = { state: string; nonce: string | undefined; verifier: string };

/** The provider refused or failed (an error answer, a token that did not verify…). */
export class ProviderResponseError extends Error {
  override name = "ProviderResponseError";
  constructor(
    message: string,
    /** `access_denied` when the user said no at the provider. */
    readonly code: "access_denied" | "provider_error" | "invalid_response",
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The provider could not be reached (discovery, token endpoint down). */
export class ProviderUnavailableError extends Error {
  override name = "ProviderUnavailableError";
}

const GITHUB_HEADERS = {
  accept: "application/vnd.github+json",
  "x-github-api-version": "2022-11-28",
};

/**
 * One configured provider, on `openid-client`: discovery (lazily, cached; retried after a
 * failure), the authorization URL with PKCE S256, state and nonce, and the code exchange with
 * every check of the ID token (issuer, audience, nonce, expiry, signature against the
 * provider's JWKS with the one pinned algorithm).
 */
export class ProviderClient {
  #config: Promise<oidc.Configuration> | undefined;

  constructor(readonly provider: ResolvedProvider) {}

  configuration(): Promise<oidc.Configuration> {
    this.#config ??= this.#create().catch((error: unknown) => {
      this.#config = undefined;
      throw new ProviderUnavailableError(`${this.provider.name} could not be reached`, {
        cause: error,
      });
    });
    return this.#config;
  }

  async #create(): Promise<oidc.Configuration> {
    const p = this.provider;
    const metadata: Partial<oidc.ClientMetadata> = {
      client_secret: p.clientSecret,
      redirect_uris: [p.redirectUri.href],
      response_types: ["code"],
      ...(p.kind === "oidc" ? { id_token_signed_response_alg: p.idTokenAlgorithm } : {}),
    };
    const execute: ((config: oidc.Configuration) => void)[] = [];
    // The ID token's signature is checked against the JWKS even though it came over TLS.
    if (p.kind === "oidc") execute.push(oidc.enableNonRepudiationChecks);
    if (p.insecure) execute.push(oidc.allowInsecureRequests);
    const given = p.fetch;
    const customFetch: oidc.CustomFetch | undefined = given
      ? (url, options) => given(url, options as RequestInit)
      : undefined;
    let config: oidc.Configuration;
    if (p.kind === "github") {
      config = new oidc.Configuration(
        {
          issuer: p.issuer,
          authorization_endpoint: p.endpoints!.authorization,
          token_endpoint: p.endpoints!.token,
        },
        p.clientId,
        metadata,
        oidc.ClientSecretPost(p.clientSecret),
      );
      for (const run of execute) run(config);
      if (customFetch) config[oidc.customFetch] = customFetch;
      config.timeout = p.timeoutSeconds;
    } else {
      config = await oidc.discovery(new URL(p.issuer), p.clientId, metadata, undefined, {
        execute,
        timeout: p.timeoutSeconds,
        ...(customFetch ? { [oidc.customFetch]: customFetch } : {}),
      });
    }
    return config;
  }

  /** A fresh authorization request: the URL to send the browser to, and its secrets. */
  async authorize(options: {
    reauthenticate: boolean;
  }): Promise<{ url: URL; secrets: FlowSecrets }> {
    const p = this.provider;
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = p.kind === "oidc" ? oidc.randomNonce() : undefined;
    const parameters: Record<string, string> = {
      ...p.authorizationParams,
      redirect_uri: p.redirectUri.href,
      scope: p.scopes.join(" "),
      response_type: "code",
      state,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      ...(nonce ? { nonce } : {}),
      // A step-up must be a fresh authentication at the provider, not a remembered one. Any
      // other trip sends a long max_age only so that the provider must say when its user
      // logged in (OpenID Core 3.1.2.1: auth_time): a remembered login is not a recent one.
      ...(p.kind === "oidc"
        ? options.reauthenticate
          ? { prompt: "login", max_age: "0" }
          : { max_age: String(SIGN_IN_MAX_AGE_SECONDS) }
        : {}),
    };
    return {
      url: oidc.buildAuthorizationUrl(config, parameters),
      secrets: { state, nonce, verifier },
    };
  }

  /**
   * Checks the authorization response (`params`: the callback's query) and exchanges its code
   * at the token endpoint; for OpenID providers the ID token is verified and the user read from
   * it (and from the UserInfo endpoint when the token carries no email); for GitHub from its API.
   */
  async exchange(
    params: URLSearchParams,
    secrets: FlowSecrets,
    options: { reauthenticate: boolean },
  ): Promise<ProviderProfile> {
    const p = this.provider;
    const error = params.get("error");
    if (error !== null) {
      throw new ProviderResponseError(
        `${p.name} answered ${error}: ${params.get("error_description") ?? ""}`,
        error === "access_denied" ? "access_denied" : "provider_error",
      );
    }
    const config = await this.configuration();
    // The exact configured redirect URI, whatever Host or scheme the request came in with.
    const current = new URL(p.redirectUri.href);
    current.search = params.toString();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: secrets.verifier,
        expectedState: secrets.state,
        ...(p.kind === "oidc"
          ? {
              expectedNonce: secrets.nonce!,
              idTokenExpected: true,
              ...(options.reauthenticate ? { maxAge: 0 } : {}),
            }
          : {}),
      });
    } catch (cause) {
      if (isNetworkError(cause)) {
        throw new ProviderUnavailableError(`${p.name} could not be reached`, { cause });
      }
      throw new ProviderResponseError(`${p.name}'s answer was refused`, "invalid_response", {
        cause,
      });
    }
    const expiresIn = tokens.expiresIn();
    const kept = {
      access: tokens.access_token,
      refresh: tokens.refresh_token,
      expiresAt: expiresIn === undefined ? undefined : new Date(Date.now() + expiresIn * 1000),
    };
    return p.kind === "github"
      ? { ...(await this.#githubUser(config, tokens.access_token)), tokens: kept }
      : { ...(await this.#oidcUser(config, tokens)), tokens: kept };
  }

  async #oidcUser(
    config: oidc.Configuration,
    tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  ): Promise<Omit<ProviderProfile, "tokens">> {
    const idToken = tokens.claims();
    if (!idToken) throw new ProviderResponseError("no ID token", "invalid_response");
    let claims: ProviderClaims = idToken;
    if (typeof idToken["email"] !== "string" && config.serverMetadata().userinfo_endpoint) {
      try {
        // The UserInfo answer must be about the ID token's subject (checked by the library).
        claims = {
          ...(await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub)),
          ...idToken,
        };
      } catch (cause) {
        throw new ProviderResponseError("UserInfo failed", "invalid_response", { cause });
      }
    }
    const email = typeof claims["email"] === "string" ? claims["email"] : null;
    const authTime = idToken.auth_time;
    return {
      issuer: idToken.iss,
      subject: idToken.sub,
      email,
      emailVerified: email !== null && this.provider.emailVerified(claims),
      name: typeof claims["name"] === "string" ? claims["name"] : null,
      authTime:
        typeof authTime === "number" && Number.isSafeInteger(authTime)
          ? new Date(authTime * 1000)
          : null,
    };
  }

  async #githubUser(
    config: oidc.Configuration,
    accessToken: string,
  ): Promise<Omit<ProviderProfile, "tokens">> {
    const api = this.provider.endpoints!.api;
    const get = async (path: string): Promise<unknown> => {
      const response = await oidc.fetchProtectedResource(
        config,
        accessToken,
        new URL(`${api}${path}`),
        "GET",
        undefined,
        new Headers(GITHUB_HEADERS),
      );
      if (!response.ok) {
        throw new ProviderResponseError(
          `GitHub ${path} answered ${response.status}`,
          "provider_error",
        );
      }
      return response.json();
    };
    const user = (await get("/user")) as { id?: unknown; name?: unknown; login?: unknown };
    if (typeof user.id !== "number" || !Number.isSafeInteger(user.id)) {
      throw new ProviderResponseError("GitHub /user has no id", "invalid_response");
    }
    const emails = (await get("/user/emails")) as {
      email?: unknown;
      primary?: unknown;
      verified?: unknown;
    }[];
    const verified = Array.isArray(emails)
      ? emails.find((e) => e.primary === true && e.verified === true && typeof e.email === "string")
      : undefined;
    const anyEmail = Array.isArray(emails) ? emails.find((e) => e.primary === true) : undefined;
    const email = (verified?.email ?? anyEmail?.email ?? null) as string | null;
    return {
      issuer: this.provider.issuer,
      subject: String(user.id),
      email: typeof email === "string" ? email : null,
      emailVerified: verified !== undefined,
      // GitHub never says when its user last signed in.
      authTime: null,
      name:
        typeof user.name === "string" && user.name !== ""
          ? user.name
          : typeof user.login === "string"
            ? user.login
            : null,
    };
  }
}

function isNetworkError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (current.name === "TimeoutError" || current.name === "AbortError") return true;
    if (current instanceof TypeError && /fetch failed/i.test(current.message)) return true;
    current = current.cause;
  }
  return false;
}
