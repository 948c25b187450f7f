import { z } from "zod";
import {
  ANYONE,
  BODY_PROBLEMS,
  describeRoute,
  jsonContent,
  jsonResponse,
  problemResponses,
  queryParameters,
  SET_COOKIE_HEADER,
  SIGNED_IN,
  UNSAFE_PROBLEMS,
} from "../../openapi/describe.js";
import { CALLBACK_ERRORS } from "./problems.js";
import {
  authorizationResponse,
  callbackQuery,
  identitySchema,
  pendingLinkSchema,
  providerSchema,
  reauthenticateBody,
  startBody,
} from "./schemas.js";

const TAGS = ["oidc"];
const STEP_UP =
  "Needs a recent authentication: otherwise 401 `/problems/reauthentication-required` with the `methods` the user can step up with (`oidc`: `POST /oidc/{provider}/reauthenticate`).";

const FLOW =
  "The answer sets the flow cookie (HttpOnly, sealed: state, nonce and PKCE verifier; single use, 10 minutes) and gives the provider's authorization URL (code flow, PKCE S256). 404 for an unknown provider; 503 when the provider cannot be reached.";

const provider = {
  name: "provider",
  in: "path" as const,
  required: true,
  schema: { type: "string" as const },
  description: "A configured provider's id (`GET /oidc/providers`).",
};

/** The OpenAPI descriptions of the OIDC plugin's routes. */
export const oidcRouteDocs = {
  providers: describeRoute({
    tags: TAGS,
    summary: "The sign-in providers configured (for the buttons)",
    security: ANYONE,
    responses: {
      200: jsonResponse(
        "In the order to show them; empty when none is configured.",
        z.strictObject({ providers: z.array(providerSchema) }),
      ),
      ...problemResponses(503),
    },
  }),
  start: describeRoute({
    tags: TAGS,
    summary: "Start signing in (or up) with a provider",
    description: `${FLOW} The callback signs in the user of a known provider account, creates an account for a new one whose email the provider verified, or — when that email is an existing account's — holds the link until its owner signs in and confirms it (\`/sign-in?oidc_link={provider}\`).`,
    security: ANYONE,
    parameters: [provider],
    requestBody: { content: jsonContent(startBody) },
    responses: {
      200: jsonResponse("Go to `url`.", authorizationResponse, SET_COOKIE_HEADER),
      ...problemResponses(...UNSAFE_PROBLEMS, 404, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  link: describeRoute({
    tags: TAGS,
    summary: "Start connecting a provider account to the signed-in user",
    description: `${FLOW} The callback connects it (\`/account?oidc=linked\`), or answers \`oidc_error\` \`identity_in_use\` (another user's) or \`already_linked\`. ${STEP_UP}`,
    security: SIGNED_IN,
    parameters: [provider],
    requestBody: { content: jsonContent(startBody) },
    responses: {
      200: jsonResponse("Go to `url`.", authorizationResponse, SET_COOKIE_HEADER),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  reauthenticate: describeRoute({
    tags: TAGS,
    summary: "Step up through a connected provider (a fresh login there)",
    description: `${FLOW} The provider is asked for a fresh login (\`prompt=login\`, \`max_age=0\`); the callback records the proof on this session when the provider account is this user's, and returns to \`returnTo\` (default \`/account\`) with \`oidc=reauthenticated\`. A provider that cannot be asked for a fresh login (GitHub) answers 409.`,
    security: SIGNED_IN,
    parameters: [provider],
    requestBody: { content: jsonContent(reauthenticateBody) },
    responses: {
      200: jsonResponse("Go to `url`.", authorizationResponse, SET_COOKIE_HEADER),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 409, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  callback: describeRoute({
    tags: TAGS,
    summary: "The provider's redirect back (the registered redirect URI)",
    description: `Never an error page: always 303 into the app. On success: the session cookies are set (sign-in, sign-up) and the browser goes to the app, or to the account page after a link or step-up. On failure: the sign-in page (account page for a link or step-up) with \`oidc_error\`, one of ${CALLBACK_ERRORS.map((code) => `\`${code}\``).join(", ")}. The flow is used up either way.`,
    security: ANYONE,
    parameters: [provider, ...queryParameters(callbackQuery)],
    responses: {
      303: {
        description: "Into the app.",
        headers: {
          Location: { schema: { type: "string" }, description: "A path of the app." },
          ...SET_COOKIE_HEADER,
        },
      },
    },
  }),
  identities: describeRoute({
    tags: TAGS,
    summary: "The signed-in user's connected provider accounts",
    description:
      "`passwordSet` is false for an account made through a provider that never set a password (the reset mail sets one).",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse(
        "Oldest first.",
        z.strictObject({ identities: z.array(identitySchema), passwordSet: z.boolean() }),
      ),
      ...problemResponses(401, 503),
    },
  }),
  unlink: describeRoute({
    tags: TAGS,
    summary: "Disconnect a provider account",
    description: `409 \`/problems/last-sign-in-method\` when it is the account's last way to sign in (no password, passkey or other provider still configured). ${STEP_UP}`,
    security: SIGNED_IN,
    responses: {
      204: { description: "Disconnected: it no longer signs in." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 409, 503),
    },
  }),
  pendingLink: describeRoute({
    tags: TAGS,
    summary: "The provider account waiting in this browser to be connected",
    description:
      "Set by a sign-in whose verified email is an existing account's: sign in to that account, then confirm.",
    security: ANYONE,
    responses: {
      200: jsonResponse(
        "`link` is null when none waits.",
        z.strictObject({ link: pendingLinkSchema.nullable() }),
      ),
      ...problemResponses(503),
    },
  }),
  confirmLink: describeRoute({
    tags: TAGS,
    summary: "Connect the waiting provider account to the signed-in user",
    description: `Only the account whose email matched can: 409 \`/problems/oidc-link-account-mismatch\` for another; 404 \`/problems/oidc-no-pending-link\` when none waits (expired, used); 409 \`/problems/oidc-identity-in-use\` when it was connected elsewhere meanwhile. ${STEP_UP}`,
    security: SIGNED_IN,
    responses: {
      201: jsonResponse("Connected.", z.strictObject({ identity: identitySchema })),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 409, 503),
    },
  }),
  cancelLink: describeRoute({
    tags: TAGS,
    summary: "Drop the provider account waiting in this browser",
    security: ANYONE,
    responses: {
      204: { description: "Nothing waits any more." },
      ...problemResponses(...UNSAFE_PROBLEMS, 503),
    },
  }),
};
