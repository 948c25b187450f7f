import { z } from "zod";
import {
  ANYONE,
  BODY_PROBLEMS,
  describeRoute,
  jsonResponse,
  problemResponses,
  SET_COOKIE_HEADER,
  SIGNED_IN,
  UNSAFE_PROBLEMS,
} from "../../openapi/describe.js";
import { userResponseSchema } from "../../openapi/schemas.js";
import { passkeySchema } from "./schemas.js";

const TAGS = ["passkeys"];

const passkeyResponse = z.strictObject({ passkey: passkeySchema });

/** The WebAuthn options JSON, as `@simplewebauthn/browser` takes them (described, not pinned). */
const creationOptions = z
  .looseObject({
    challenge: z.string(),
    rp: z.looseObject({ id: z.string(), name: z.string() }),
    user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
    pubKeyCredParams: z.array(z.looseObject({ alg: z.int(), type: z.literal("public-key") })),
    timeout: z.int(),
    excludeCredentials: z.array(z.looseObject({ id: z.string(), type: z.literal("public-key") })),
    authenticatorSelection: z.looseObject({}),
    attestation: z.string(),
  })
  .meta({
    id: "PasskeyCreationOptions",
    description:
      "PublicKeyCredentialCreationOptionsJSON: give it to `startRegistration({ optionsJSON })`.",
  });

const requestOptions = z
  .looseObject({
    challenge: z.string(),
    rpId: z.string(),
    timeout: z.int(),
    allowCredentials: z.array(z.looseObject({ id: z.string(), type: z.literal("public-key") })),
    userVerification: z.enum(["required", "preferred"]),
  })
  .meta({
    id: "PasskeyRequestOptions",
    description:
      "PublicKeyCredentialRequestOptionsJSON: give it to `startAuthentication({ optionsJSON })`.",
  });

const STEP_UP =
  "Needs a recent authentication: otherwise 401 `/problems/reauthentication-required` with the `methods` the user can step up with; retry after `POST /reauthenticate` (or a passkey with purpose `reauthenticate`).";

/** The OpenAPI descriptions of the passkeys plugin's routes. */
export const passkeyRouteDocs = {
  list: describeRoute({
    tags: TAGS,
    summary: "The signed-in user's passkeys",
    description: "Names, dates and the kind of device; never keys or credential ids.",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse(
        "The passkeys, oldest first.",
        z.strictObject({ passkeys: z.array(passkeySchema) }),
      ),
      ...problemResponses(401, 503),
    },
  }),
  registerOptions: describeRoute({
    tags: TAGS,
    summary: "Start adding a passkey: the options for navigator.credentials.create()",
    description: `A discoverable credential (residentKey required), user verification preferred, the user's passkeys excluded; the challenge lives 5 minutes, once, in this browser (an HttpOnly cookie) and this session. 409 \`/problems/passkey-limit\` when the account holds the most passkeys allowed. ${STEP_UP}`,
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The creation options.", creationOptions, SET_COOKIE_HEADER),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 409, 429, 503),
    },
  }),
  register: describeRoute({
    tags: TAGS,
    summary: "Finish adding a passkey with the browser's answer",
    description:
      "The answer is verified against this browser's challenge, the configured origins and RP id. 422 at `/response` when it does not verify, the challenge expired, or the credential is already registered (to anyone: the same answer); 409 `/problems/passkey-limit` past the cap.",
    security: SIGNED_IN,
    responses: {
      201: jsonResponse("The new passkey.", passkeyResponse),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 503),
    },
  }),
  rename: describeRoute({
    tags: TAGS,
    summary: "Rename a passkey",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The renamed passkey.", passkeyResponse),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, ...BODY_PROBLEMS, 503),
    },
  }),
  remove: describeRoute({
    tags: TAGS,
    summary: "Remove a passkey",
    description: `It can no longer sign in or confirm anything. 409 \`/problems/last-sign-in-method\` when it is the account's last way to sign in (no password, other passkey or connected provider). ${STEP_UP}`,
    security: SIGNED_IN,
    responses: {
      204: { description: "Removed." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 409, 503),
    },
  }),
  authenticateOptions: describeRoute({
    tags: TAGS,
    summary: "Start using a passkey: the options for navigator.credentials.get()",
    description:
      "`sign-in` (anyone): discoverable, no allow-list, user verification required. `second-factor` (the pending sign-in cookie of `POST /login`, else 401 `/problems/second-factor-expired`): that user's passkeys. `reauthenticate` (signed in): the user's own passkeys. 409 `/problems/no-passkey` when that user has none. The challenge lives 5 minutes, once, in this browser and for this purpose.",
    security: ANYONE,
    responses: {
      200: jsonResponse("The request options.", requestOptions, SET_COOKIE_HEADER),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  }),
  authenticate: describeRoute({
    tags: TAGS,
    summary: "Finish using a passkey: sign in, complete a sign-in, or step up",
    description:
      "What it does is the purpose its challenge was issued for. `sign-in`: a session opens (cookies set) with `{user}`. `second-factor`: the pending sign-in completes with `{user}`. `reauthenticate`: `{authTime}` and a fresh access cookie. Any refused passkey (unknown, another account's, bad signature, counter gone backwards, no user verification where required) answers the same 401 `/problems/passkey-not-accepted`; an unknown, expired or used challenge 401 `/problems/passkey-challenge-expired`.",
    security: ANYONE,
    responses: {
      200: jsonResponse(
        "Signed in (`user`), or stepped up (`authTime`).",
        z.union([
          userResponseSchema,
          z.strictObject({ authTime: z.iso.datetime({ offset: true }) }),
        ]),
        SET_COOKIE_HEADER,
      ),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
};
