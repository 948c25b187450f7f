import { createHash } from "node:crypto";
import { Hono } from "hono";
import { z } from "zod";
import { describeRoute, jsonResponse } from "../openapi/describe.js";
import type { KeyRing } from "./key-ring.js";

/** Where a JWKS lives by convention (RFC 8414 §2's `jwks_uri`, RFC 8615 well-known). */
export const JWKS_PATH = "/.well-known/jwks.json";

/**
 * How long a resource server (or a cache between) may reuse the key set. The rotation
 * procedure waits at least this long between publishing the next key and signing with it.
 */
export const JWKS_MAX_AGE_SECONDS = 300;

const CACHE_CONTROL = `public, max-age=${JWKS_MAX_AGE_SECONDS}`;

const publicJwkSchema = z
  .strictObject({
    kty: z.enum(["OKP", "EC"]),
    crv: z.enum(["Ed25519", "P-256"]),
    x: z.string(),
    y: z.string().optional(),
    kid: z.string().describe("The key's RFC 7638 thumbprint (SHA-256)."),
    alg: z.enum(["EdDSA", "ES256"]),
    use: z.literal("sig"),
  })
  .describe("A public signing key (RFC 7517): never a private member such as `d`.");

const jwksSchema = z.strictObject({
  keys: z
    .array(publicJwkSchema)
    .describe(
      "The access-token keys: the current one, the next one (published before it signs) and the previous ones (until their last token has expired). Empty when tokens are signed with HS256, a shared secret.",
    ),
});

const CACHING_HEADERS = {
  "Cache-Control": {
    description: `\`${CACHE_CONTROL}\`: the set changes only with a key rotation.`,
    required: true,
    schema: { type: "string" as const },
  },
  ETag: {
    description: "A strong validator of this key set, for `If-None-Match`.",
    required: true,
    schema: { type: "string" as const },
  },
};

const describeJwks = describeRoute({
  tags: ["keys"],
  summary: "The public keys that verify access tokens (JWKS)",
  description:
    "For resource servers that verify the access tokens themselves (e.g. jose's `createRemoteJWKSet`): pin the algorithm, issuer, audience and `typ: at+jwt`. Such a server cannot see a revocation before the token expires; see docs/scaling.md.",
  security: [],
  parameters: [
    {
      in: "header",
      name: "If-None-Match",
      required: false,
      description: "The ETag of a key set the client holds: 304 when it is still current.",
      schema: { type: "string" },
    },
  ],
  responses: {
    200: jsonResponse("The key set.", jwksSchema, CACHING_HEADERS),
    304: { description: "The key set the client holds is current.", headers: CACHING_HEADERS },
  },
});

/** `If-None-Match` names this ETag: `*`, or a list with it (weak comparison, RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag);
}

/**
 * `GET /.well-known/jwks.json`: the public keys of the key ring, with `Cache-Control` and a
 * strong `ETag` (304 on `If-None-Match`). Built once: the set changes only with the config.
 * Mount at the site root (`app.route("/", auth.wellKnown)`), never behind the auth layer.
 *
 * @example
 * app.route("/", createJwksRoutes(keyRing)); // GET /.well-known/jwks.json
 */
export function createJwksRoutes(keys: Pick<KeyRing, "publicJwks">) {
  const body = JSON.stringify({ keys: keys.publicJwks });
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
  const headers = { "Cache-Control": CACHE_CONTROL, ETag: etag };
  return new Hono().get(JWKS_PATH, describeJwks, (c) => {
    if (matches(c.req.header("If-None-Match"), etag)) return c.body(null, 304, headers);
    return c.body(body, 200, { ...headers, "Content-Type": "application/json" });
  });
}
