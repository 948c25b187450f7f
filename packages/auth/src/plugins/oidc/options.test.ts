import { describe, expect, it } from "vitest";
import { AuthConfigError } from "../../options/config-error.js";
import { resolveOidcOptions, type OidcProviderConfig } from "./options.js";
import { githubProvider, googleProvider, microsoftProvider, oidcProvider } from "./presets.js";

const redirect = (id: string) => `https://tidy.example/api/auth/oidc/${id}/callback`;
const google = googleProvider({
  clientId: "id",
  clientSecret: "s",
  redirectUri: redirect("google"),
});

function problemOf(providers: unknown[], extra: object = {}): string | undefined {
  try {
    resolveOidcOptions({ providers: providers as OidcProviderConfig[], ...extra });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthConfigError);
    return (error as AuthConfigError).message;
  }
}

describe("oidc options", () => {
  it("accepts the presets and an empty list, with https cookies when every redirect is https", () => {
    const resolved = resolveOidcOptions({
      providers: [
        google,
        githubProvider({ clientId: "gh", clientSecret: "s", redirectUri: redirect("github") }),
        microsoftProvider({
          tenant: "contoso.onmicrosoft.com",
          clientId: "m",
          clientSecret: "s",
          redirectUri: redirect("microsoft"),
        }),
      ],
    });
    expect([...resolved.providers.keys()]).toEqual(["google", "github", "microsoft"]);
    expect(resolved.providers.get("google")).toMatchObject({
      issuer: "https://accounts.google.com",
      idTokenAlgorithm: "RS256",
      scopes: ["openid", "email", "profile"],
    });
    expect(resolved.providers.get("github")?.scopes).toEqual(["read:user", "user:email"]);
    expect(resolved.secureCookies).toBe(true);
    expect(resolved.redirects).toEqual({ signedIn: "/", signIn: "/sign-in", account: "/account" });
    expect(resolveOidcOptions({ providers: [] }).providers.size).toBe(0);
  });

  it("treats Entra ID's email as verified only with the domain-owner claim", () => {
    const ms = microsoftProvider({
      tenant: "t",
      clientId: "m",
      clientSecret: "s",
      redirectUri: redirect("microsoft"),
    });
    expect(ms.emailVerified!({ email: "a@b.c", email_verified: true })).toBe(false);
    expect(ms.emailVerified!({ email: "a@b.c", xms_edov: true })).toBe(true);
  });

  it.each([
    [
      [{ ...google, redirectUri: "http://tidy.example/api/auth/oidc/google/callback" }],
      "redirectUri",
    ],
    [[{ ...google, redirectUri: redirect("other") }], "redirectUri"],
    [[{ ...google, issuer: "http://accounts.example.com" }], "issuer"],
    [[{ ...google, idTokenAlgorithm: "HS256" }], "idTokenAlgorithm"],
    [[{ ...google, idTokenAlgorithm: "none" }], "idTokenAlgorithm"],
    [[{ ...google, scopes: ["email"] }], "scopes"],
    [[{ ...google, id: "Google" }], "id"],
    [[{ ...google, id: "link", redirectUri: redirect("link") }], "reserved"],
    [[google, google], "repeats"],
    [[{ ...google, clientSecret: "" }], "clientSecret"],
    [[{ ...google, extra: 1 }], "extra"],
    [
      [
        oidcProvider({
          id: "x",
          name: "X",
          issuer: "https://x.example",
          clientId: "a",
          clientSecret: "b",
          redirectUri: redirect("x"),
        }),
        { ...google, kind: "saml" },
      ],
      "kind",
    ],
  ])("refuses %j (%s)", (providers, what) => {
    expect(problemOf(providers)).toContain(what);
  });

  it("allows http only for a loopback issuer and redirect (development, tests)", () => {
    const local = oidcProvider({
      id: "local",
      name: "Local",
      issuer: "http://127.0.0.1:9000",
      clientId: "a",
      clientSecret: "b",
      redirectUri: "http://localhost:3000/api/auth/oidc/local/callback",
    });
    const resolved = resolveOidcOptions({ providers: [local] });
    expect(resolved.providers.get("local")?.insecure).toBe(true);
    expect(resolved.secureCookies).toBe(false);
    expect(problemOf([google], { redirects: { signIn: "//evil.example" } })).toContain(
      "redirects.signIn",
    );
    expect(problemOf([google], { flowSeconds: 5 })).toContain("flowSeconds");
  });
});
