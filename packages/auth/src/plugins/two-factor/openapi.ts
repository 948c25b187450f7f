import { PENDING_SIGN_IN_PARAMETER, tokenPairSchema } from "../../bearer/token-route-docs.js";
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

const TAGS = ["two-factor"];

export const twoFactorStateSchema = z
  .strictObject({
    totp: z.strictObject({
      enabled: z.boolean(),
      enabledAt: z.iso.datetime({ offset: true }).nullable(),
    }),
    recoveryCodes: z.strictObject({
      remaining: z.int().min(0).meta({ description: "Unused recovery codes (0 to 10)." }),
    }),
  })
  .meta({ id: "TwoFactorState" });

const totpSetupSchema = z
  .strictObject({
    secret: z.string().meta({ description: "The base32 secret, for typing into the app." }),
    uri: z.string().meta({
      description:
        "`otpauth://totp/<issuer>:<email>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30`, for a QR code.",
    }),
  })
  .meta({ id: "TotpSetup" });

const recoveryCodesSchema = z
  .strictObject({
    recoveryCodes: z.array(z.string()).length(10).meta({
      description:
        "10 single-use codes (`xxxxx-xxxxx`), shown this once: the server keeps only their hashes.",
    }),
  })
  .meta({ id: "RecoveryCodes" });

const authTimeSchema = z
  .strictObject({ authTime: z.iso.datetime({ offset: true }) })
  .meta({ id: "ReauthenticationResult" });

/** The statuses of a route that checks a code under the wrong-code throttle. */
const CODE_PROBLEMS = [...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503] as const;

const STEP_UP =
  " Needs a recent sign-in: otherwise 401 `/problems/reauthentication-required` with the `methods` the user can confirm with (then retry).";
const THROTTLED =
  " Wrong codes are limited per account (5 per 15 minutes by default, shared by every route that checks one): past it 429 with `Retry-After`.";

/** The OpenAPI descriptions of the two-factor plugin's routes. */
export const twoFactorRouteDocs = {
  status: describeRoute({
    tags: TAGS,
    summary: "Whether two-step verification is on, and how many recovery codes remain",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The account's second factors.", twoFactorStateSchema),
      ...problemResponses(401, 503),
    },
  }),
  setup: describeRoute({
    tags: TAGS,
    summary: "Start setting up an authenticator app: a new secret and its otpauth URI",
    description:
      "The secret stays unconfirmed (and off) until `POST /2fa/totp/enable` gets a code from it; a new setup replaces an unconfirmed one, and one left unconfirmed is forgotten after a day. 409 when the app is already set up." +
      STEP_UP,
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The secret, and the URI to show as a QR code.", totpSetupSchema),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 409, 503),
    },
  }),
  enable: describeRoute({
    tags: TAGS,
    summary: "Turn on two-step verification with a code from the app just set up",
    description:
      "From now on signing in takes the password and a code. Answers the 10 recovery codes, once. 422 at `/code` when the code is wrong; 409 when no setup is waiting (or it is already on)." +
      THROTTLED,
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("On; the recovery codes.", recoveryCodesSchema),
      ...problemResponses(401, ...CODE_PROBLEMS, 409),
    },
  }),
  verify: describeRoute({
    tags: TAGS,
    summary: "The second step of signing in: a code from the app, or a recovery code",
    description:
      "For the browser that gave the right password to `POST /login` and got `{twoFactorRequired: true}` (its pending cookie, valid 5 minutes, single use). `{code}` or `{recoveryCode}`: a code's time step is accepted once; a recovery code works once. Opens the session like a password sign-in. 401 `/problems/second-factor-expired` without a live pending sign-in (enter the password again); 422 at `/code` or `/recoveryCode` when wrong." +
      THROTTLED,
    security: ANYONE,
    parameters: [PENDING_SIGN_IN_PARAMETER],
    responses: {
      200: jsonResponse(
        "Signed in; the auth cookies are set (with `Auth-Pending-Sign-In`: the pair in the body, no cookie).",
        z.union([userResponseSchema, userResponseSchema.extend(tokenPairSchema.shape)]),
        SET_COOKIE_HEADER,
      ),
      ...problemResponses(401, ...CODE_PROBLEMS, 409),
    },
  }),
  disable: describeRoute({
    tags: TAGS,
    summary: "Turn off two-step verification (removes the app and the recovery codes)",
    description: "409 when it is not on." + STEP_UP,
    security: SIGNED_IN,
    responses: {
      204: { description: "Off: the password alone signs in again." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 409, 503),
    },
  }),
  regenerate: describeRoute({
    tags: TAGS,
    summary: "Replace every recovery code with 10 new ones",
    description:
      "The earlier codes, used or not, stop working. 409 when two-step verification is off." +
      STEP_UP,
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The new codes, shown this once.", recoveryCodesSchema),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 409, 503),
    },
  }),
  reauthenticate: describeRoute({
    tags: ["auth"],
    summary: "Confirm it's you with a code from the authenticator app (a step-up)",
    description:
      "Records a recent sign-in on this session and sets a fresh access cookie, so the action that answered `/problems/reauthentication-required` can be retried. The code's time step is used up. 409 when the account has no authenticator app; 422 at `/code` when wrong." +
      THROTTLED,
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("Confirmed.", authTimeSchema, SET_COOKIE_HEADER),
      ...problemResponses(401, ...CODE_PROBLEMS, 409),
    },
  }),
};
