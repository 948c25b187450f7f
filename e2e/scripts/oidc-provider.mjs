// A real OpenID provider for the end-to-end run (one of Playwright's web servers):
// `oidc-provider` with its own development login and consent pages, which the journey fills
// in like a person would. Any login name signs in; its email is the name when it has an @
// (else `<name>@example.test`), verified. PKCE is required, ID tokens are RS256.
import { createServer } from "node:http";
import Provider from "oidc-provider";

const port = Number(process.env.E2E_OIDC_PORT);
const redirectUri = process.env.E2E_OIDC_REDIRECT_URI;
const clientId = process.env.E2E_OIDC_CLIENT_ID;
const clientSecret = process.env.E2E_OIDC_CLIENT_SECRET;
if (!port || !redirectUri || !clientId || !clientSecret) {
  throw new Error(
    "E2E_OIDC_PORT, E2E_OIDC_REDIRECT_URI, E2E_OIDC_CLIENT_ID and _SECRET are required",
  );
}

const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      id_token_signed_response_alg: "RS256",
    },
  ],
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({
      sub: id,
      email: id.includes("@") ? id : `${id}@example.test`,
      email_verified: true,
      name: id.split("@")[0],
    }),
  }),
  claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
  pkce: { required: () => true },
  cookies: { keys: ["e2e-oidc-provider-cookie-key-0123456789"] },
});
// Plain http on 127.0.0.1: the provider's cookies must not be Secure.
provider.proxy = false;
const server = createServer(provider.callback());
server.listen(port, "127.0.0.1", () => console.log(`oidc provider at ${issuer}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
