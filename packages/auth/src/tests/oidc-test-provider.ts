import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  exportJWK,
  generateKeyPair,
  SignJWT,
  decodeJwt,
  decodeProtectedHeader,
  type JWK,
} from "jose";
import Provider, { type ClientMetadata } from "oidc-provider";

/** A signing key, as jose makes them. */
type CryptoKey = Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

/** An account of the test provider: its claims. */
export type TestAccount = { email?: string; email_verified?: boolean; name?: string };

/** What the provider's next interaction does: log this account in (and consent), or deny. */
export type NextInteraction = { login: string } | { deny: true };

export type TestOidcProvider = {
  issuer: string;
  accounts: Map<string, TestAccount>;
  /** Set before each flow: who logs in at the provider (programmatic, no HTML forms). */
  next: NextInteraction;
  /** The provider's own signing keys, to re-sign ID tokens a test tampers with. */
  signingKey: { privateKey: CryptoKey; kid: string };
  close(): Promise<void>;
};

export const CLIENT_ID = "tidy-test";
export const CLIENT_SECRET = "tidy-test-secret-0123456789abcdef";

/**
 * A real OpenID provider (`oidc-provider`) on 127.0.0.1 and a random port, with a client for
 * `redirectUris`, PKCE required, RS256 and ES256 keys (`idTokenAlgorithm` picks the client's),
 * and interactions finished programmatically from `next` (the e2e run uses its login page).
 */
export async function startTestOidcProvider(options: {
  redirectUris: string[];
  clients?: Partial<ClientMetadata>[];
  idTokenAlgorithm?: string;
}): Promise<TestOidcProvider> {
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const ec = await generateKeyPair("ES256", { extractable: true });
  const rsaJwk: JWK = {
    ...(await exportJWK(rsa.privateKey)),
    kid: "rsa-1",
    alg: "RS256",
    use: "sig",
  };
  const ecJwk: JWK = { ...(await exportJWK(ec.privateKey)), kid: "ec-1", alg: "ES256", use: "sig" };
  const accounts = new Map<string, TestAccount>();
  const server: Server = createServer();
  // Outlive the client's idle keep-alive sockets (undici keeps them 4 s): a server that closes
  // one first races the client reusing it, an ECONNRESET seen in a loaded run.
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: options.redirectUris,
        id_token_signed_response_alg: (options.idTokenAlgorithm ?? "RS256") as "RS256",
      },
      ...((options.clients ?? []) as ClientMetadata[]),
    ],
    jwks: { keys: [rsaJwk, ecJwk] as never },
    findAccount: (_ctx, id) => {
      const account = accounts.get(id);
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    features: { devInteractions: { enabled: false } },
    pkce: { required: () => true, methods: ["S256"] },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ["test-provider-cookie-key-0123456789"] },
    ttl: {
      Session: 60,
      Interaction: 60,
      Grant: 60,
      IdToken: 60,
      AccessToken: 60,
      AuthorizationCode: 60,
    },
  });
  const state: TestOidcProvider = {
    issuer,
    accounts,
    next: { deny: true },
    signingKey: { privateKey: rsa.privateKey, kid: "rsa-1" },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const callback = provider.callback();
  server.on("request", (req, res) => {
    if (!req.url?.startsWith("/interaction/")) return void callback(req, res);
    void (async () => {
      try {
        const details = await provider.interactionDetails(req, res);
        const next = state.next;
        if ("deny" in next) {
          await provider.interactionFinished(
            req,
            res,
            { error: "access_denied", error_description: "The user said no." },
            { mergeWithLastSubmission: false },
          );
          return;
        }
        if (details.prompt.name === "login") {
          await provider.interactionFinished(
            req,
            res,
            { login: { accountId: next.login } },
            {
              mergeWithLastSubmission: false,
            },
          );
          return;
        }
        const grant = new provider.Grant({
          accountId: details.session!.accountId,
          clientId: details.params["client_id"] as string,
        });
        const missing = details.prompt.details as {
          missingOIDCScope?: string[];
          missingOIDCClaims?: string[];
        };
        if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
        if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
        const grantId = await grant.save();
        await provider.interactionFinished(
          req,
          res,
          { consent: { grantId } },
          { mergeWithLastSubmission: true },
        );
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    })();
  });
  return state;
}

/**
 * Follows the provider's redirects (with its cookies) from an authorization URL until it
 * sends the browser back to `redirectPrefix`; returns that callback URL.
 */
export async function visitProvider(
  authorizationUrl: string,
  redirectPrefix: string,
  jar = new Map<string, string>(),
): Promise<URL> {
  let url = authorizationUrl;
  for (let hop = 0; hop < 20; hop++) {
    if (url.startsWith(redirectPrefix)) return new URL(url);
    const response = await fetch(url, {
      redirect: "manual",
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (!location)
      throw new Error(
        `the provider stopped at ${url}: ${response.status} ${await response.text()}`,
      );
    url = new URL(location, url).href;
  }
  throw new Error("too many redirects at the provider");
}

/**
 * A `fetch` for the plugin that rewrites the ID token of token-endpoint answers: `change`
 * edits its claims (or header), then it is signed again with the provider's own key (or
 * `key`), so only the claim under test is wrong.
 */
export function tamperingFetch(
  provider: TestOidcProvider,
  change: (
    claims: Record<string, unknown>,
    header: Record<string, unknown>,
  ) => { key?: CryptoKey; unsigned?: boolean } | void,
): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const url = input instanceof Request ? input.url : String(input);
    if (!url.endsWith("/token") || !response.ok) return response;
    const body = (await response.json()) as Record<string, unknown>;
    if (typeof body["id_token"] === "string") {
      const claims = { ...decodeJwt(body["id_token"]) } as Record<string, unknown>;
      const header = { ...decodeProtectedHeader(body["id_token"]) } as Record<string, unknown>;
      const how = change(claims, header) ?? {};
      if (how.unsigned) {
        const [, , signature] = body["id_token"].split(".");
        const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
        body["id_token"] = `${encode(header)}.${encode(claims)}.${signature}`;
      } else {
        body["id_token"] = await new SignJWT(claims as never)
          .setProtectedHeader({ ...(header as { alg: string }) })
          .sign(how.key ?? provider.signingKey.privateKey);
      }
    }
    return new Response(JSON.stringify(body), {
      status: response.status,
      headers: { "content-type": "application/json" },
    });
  };
}
