import { GITHUB_ENDPOINTS, type OidcProviderConfig, type ProviderClaims } from "./options.js";

/** What every preset needs: the app's credentials at the provider and the exact callback URL. */
export type PresetOptions = {
  clientId: string;
  clientSecret: string;
  /** The exact redirect URI registered at the provider (`…/api/auth/oidc/google/callback`). */
  redirectUri: string;
  /** Default: the preset's name (`google`, `microsoft`, `github`). */
  id?: string;
  /** Default: the provider's brand ("Google"). */
  name?: string;
  scopes?: readonly string[];
  authorizationParams?: Readonly<Record<string, string>>;
  fetch?: typeof fetch;
};

const common = (options: PresetOptions) => ({
  clientId: options.clientId,
  clientSecret: options.clientSecret,
  redirectUri: options.redirectUri,
  ...(options.scopes ? { scopes: options.scopes } : {}),
  ...(options.authorizationParams ? { authorizationParams: options.authorizationParams } : {}),
  ...(options.fetch ? { fetch: options.fetch } : {}),
});

/**
 * Any OpenID Connect issuer, found by discovery (`<issuer>/.well-known/openid-configuration`):
 * Okta, Auth0, Keycloak, Authentik, GitLab…
 *
 * @example
 * oidcProvider({
 *   id: "corp",
 *   name: "Corp SSO",
 *   issuer: "https://sso.example.com/realms/staff",
 *   clientId: "tidy",
 *   clientSecret: config.corpClientSecret, // read where the host reads its settings
 *   redirectUri: "https://tidy.example/api/auth/oidc/corp/callback",
 * });
 */
export function oidcProvider(
  options: PresetOptions & {
    id: string;
    name: string;
    issuer: string;
    idTokenAlgorithm?: string;
    emailVerified?: (claims: ProviderClaims) => boolean;
    timeoutSeconds?: number;
  },
): OidcProviderConfig {
  return {
    ...common(options),
    id: options.id,
    name: options.name,
    kind: "oidc",
    issuer: options.issuer,
    ...(options.idTokenAlgorithm ? { idTokenAlgorithm: options.idTokenAlgorithm } : {}),
    ...(options.emailVerified ? { emailVerified: options.emailVerified } : {}),
    ...(options.timeoutSeconds ? { timeoutSeconds: options.timeoutSeconds } : {}),
  };
}

/**
 * Google (OpenID Connect, `https://accounts.google.com`, ID tokens signed RS256). Create the
 * client under "Google Auth Platform → Clients" (type "Web application") and register the
 * redirect URI exactly.
 *
 * @example
 * googleProvider({
 *   clientId: "123.apps.googleusercontent.com",
 *   clientSecret: "GOCSPX-…",
 *   redirectUri: "https://tidy.example/api/auth/oidc/google/callback",
 * });
 */
export function googleProvider(options: PresetOptions): OidcProviderConfig {
  return {
    ...common(options),
    id: options.id ?? "google",
    name: options.name ?? "Google",
    kind: "oidc",
    issuer: "https://accounts.google.com",
    idTokenAlgorithm: "RS256",
  };
}

/**
 * Microsoft Entra ID (OpenID Connect) for one tenant: its issuer is
 * `https://login.microsoftonline.com/<tenant>/v2.0`. Entra's `email` claim is not verified by
 * Microsoft, so only a domain-verified address counts: add the optional claim `xms_edov` to the
 * ID token in the app registration (without it every user is "email not verified", and can
 * still link Microsoft to an account they signed in to).
 *
 * @example
 * microsoftProvider({
 *   tenant: "2f5c…-…",
 *   clientId: "…",
 *   clientSecret: "…",
 *   redirectUri: "https://tidy.example/api/auth/oidc/microsoft/callback",
 * });
 */
export function microsoftProvider(options: PresetOptions & { tenant: string }): OidcProviderConfig {
  return {
    ...common(options),
    id: options.id ?? "microsoft",
    name: options.name ?? "Microsoft",
    kind: "oidc",
    issuer: `https://login.microsoftonline.com/${encodeURIComponent(options.tenant)}/v2.0`,
    idTokenAlgorithm: "RS256",
    emailVerified: (claims) =>
      typeof claims["email"] === "string" &&
      (claims["xms_edov"] === true || claims["xms_edov"] === "1" || claims["xms_edov"] === 1),
  };
}

/**
 * GitHub (OAuth 2, not OpenID Connect): the user is `GET /user` of its REST API (subject: the
 * numeric id, which never changes; logins do) and the email its primary verified one from
 * `GET /user/emails` (scope `user:email`).
 *
 * @example
 * githubProvider({
 *   clientId: "Iv1.…",
 *   clientSecret: "…",
 *   redirectUri: "https://tidy.example/api/auth/oidc/github/callback",
 * });
 */
export function githubProvider(
  options: PresetOptions & { endpoints?: { authorization: string; token: string; api: string } },
): OidcProviderConfig {
  return {
    ...common(options),
    id: options.id ?? "github",
    name: options.name ?? "GitHub",
    kind: "github",
    issuer: "https://github.com",
    endpoints: options.endpoints ?? GITHUB_ENDPOINTS,
  };
}
