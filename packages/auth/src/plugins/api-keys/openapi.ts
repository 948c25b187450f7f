import { z } from "zod";
import {
  BODY_PROBLEMS,
  describeRoute,
  jsonResponse,
  problemResponses,
  SIGNED_IN,
  UNSAFE_PROBLEMS,
} from "../../openapi/describe.js";
import { API_KEY_SCHEME } from "../../openapi/describe.js";
import { apiKeySchema, scopeSchema } from "./schemas.js";

const TAGS = ["api-keys"];

const STEP_UP =
  "Needs a recent authentication: otherwise 401 `/problems/reauthentication-required` with the `methods` the user can step up with; retry after `POST /reauthenticate`.";

const listResponse = z.strictObject({
  apiKeys: z.array(apiKeySchema),
  scopes: z.array(scopeSchema).meta({ description: "The scopes a new key may hold." }),
  limit: z.int().meta({ description: "How many keys an account may hold." }),
});

const createdResponse = z.strictObject({
  apiKey: apiKeySchema,
  secret: z.string().meta({
    description:
      "The key itself, shown this once (only its SHA-256 is stored): `Authorization: Bearer <secret>`.",
  }),
});

const introspection = z
  .union([
    z.strictObject({ active: z.literal(false) }),
    z.strictObject({
      active: z.literal(true),
      token_type: z.literal("Bearer"),
      sub: z.string(),
      sid: z.string(),
      iat: z.int(),
      exp: z.int(),
      iss: z.string(),
      aud: z.string(),
      auth_time: z.int().optional(),
    }),
    z.strictObject({
      active: z.literal(true),
      token_type: z.literal("api_key"),
      sub: z.string(),
      sid: z.string(),
      scope: z.string(),
      exp: z.int().optional(),
    }),
  ])
  .meta({ id: "TokenIntrospection", description: "RFC 7662 §2.2." });

const insufficientScope = {
  ...problemResponses(403)[403],
  description:
    'The API key lacks the scope (`/problems/insufficient-scope`, `WWW-Authenticate: Bearer error="insufficient_scope"`), or a cross-site request (the CSRF check).',
};

/** The OpenAPI descriptions of the API-keys plugin's routes. */
export const apiKeyRouteDocs = {
  list: describeRoute({
    tags: TAGS,
    summary: "The signed-in user's API keys, the scopes on offer and the cap",
    description: "Names, prefixes, scopes and dates; never a secret. Sessions only.",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The keys, oldest first.", listResponse),
      ...problemResponses(401, 403, 503),
    },
  }),
  create: describeRoute({
    tags: TAGS,
    summary: "Create an API key (the secret is shown once)",
    description: `The key authenticates \`Authorization: Bearer <secret>\` requests with its scopes only. 409 \`/problems/api-key-limit\` when the account holds the most keys allowed. ${STEP_UP}`,
    security: SIGNED_IN,
    responses: {
      201: jsonResponse("The new key and its secret.", createdResponse),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 503),
    },
  }),
  revoke: describeRoute({
    tags: TAGS,
    summary: "Revoke an API key",
    description:
      "Refused on every server process from the next request on. 404 for a key that is not the user's.",
    security: SIGNED_IN,
    parameters: [{ in: "path", name: "id", required: true, schema: { type: "string" } }],
    responses: {
      204: { description: "Revoked." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 503),
    },
  }),
  introspect: describeRoute({
    tags: TAGS,
    summary: "Token introspection (RFC 7662)",
    description:
      'For resource servers: is this access token or API key valid right now? Authenticated by an API key with the `introspect` scope (`Authorization: Bearer …`); 401 without one. Anything not currently valid answers `{"active": false}`; an access token is checked against its session row, so a revoked session is inactive at once.',
    security: [{ [API_KEY_SCHEME]: ["introspect"] }],
    requestBody: {
      required: true,
      content: {
        "application/x-www-form-urlencoded": {
          schema: {
            type: "object",
            required: ["token"],
            properties: {
              token: { type: "string", maxLength: 8192 },
              token_type_hint: { type: "string", enum: ["access_token", "api_key"] },
            },
          },
        },
      },
    },
    responses: {
      200: jsonResponse("Whether the token is active, and what it says.", introspection),
      ...problemResponses(400, 401, 413, 415, 503),
      403: insufficientScope,
    },
  }),
};
