import {
  ANYONE,
  describeRoute,
  jsonResponse,
  BODY_PROBLEMS,
  problemResponses,
  UNSAFE_PROBLEMS,
  SET_COOKIE_HEADER,
  SIGNED_IN,
  type RouteDescription,
} from "./describe.js";
import { z } from "zod";
import {
  publicUserSchema,
  reauthenticatedSchema,
  sessionResponseSchema,
  sessionsResponseSchema,
  signedOutSessionSchema,
  twoFactorRequiredSchema,
  userResponseSchema,
} from "./schemas.js";

const TAGS = ["auth"];

const signedOut = {
  description: "Signed out; the cookies are cleared.",
  headers: SET_COOKIE_HEADER,
};

/** The OpenAPI descriptions of the core's auth routes (request bodies come from `jsonBody`). */
type AuthRouteName =
  | "register"
  | "login"
  | "checkPassword"
  | "logout"
  | "logoutAll"
  | "logoutOthers"
  | "session"
  | "me"
  | "sessions"
  | "revokeSession"
  | "changePassword"
  | "reauthenticate";

const AUTH_ROUTES: Record<AuthRouteName, RouteDescription> = {
  register: {
    summary: "Create an account and sign in",
    security: ANYONE,
    responses: {
      201: jsonResponse("Signed up and signed in.", userResponseSchema, SET_COOKIE_HEADER),
      202: jsonResponse(
        "Signed up; a plugin requires the email to be verified before the first sign-in.",
        z.strictObject({ user: publicUserSchema, emailVerificationRequired: z.literal(true) }),
      ),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  },
  login: {
    summary: "Sign in",
    security: ANYONE,
    responses: {
      200: jsonResponse(
        "Signed in (both cookies set); or, with a second factor enrolled, the password was right and the sign-in waits for it (`twoFactorRequired`: only the 5-minute pending cookie is set).",
        z.union([userResponseSchema, twoFactorRequiredSchema]),
        SET_COOKIE_HEADER,
      ),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 401, 429, 503),
    },
  },
  checkPassword: {
    summary: "Check a candidate password against the password policy",
    description:
      "The verdict sign-up, a password change or a reset would give this password, for feedback while typing: the same normalisation, length limits and strength estimate, with `context` (the user's email and name) counted as guessable words. Nothing is stored or logged. `level`: 1 wrong length, 2 too easy to guess, 3 acceptable, 4 acceptable and 16 characters or more. Counted per client address (429 past 120 in 5 minutes).",
    security: ANYONE,
    responses: {
      200: jsonResponse(
        "The verdict; `problem` says why a password would be refused, in the words of the 422 it would get.",
        z.union([
          z.strictObject({
            acceptable: z.literal(true),
            level: z.union([z.literal(3), z.literal(4)]),
          }),
          z.strictObject({
            acceptable: z.literal(false),
            level: z.union([z.literal(1), z.literal(2)]),
            problem: z.string(),
          }),
        ]),
      ),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  },
  logout: {
    summary: "Sign out of this session (nothing to do when not signed in)",
    security: ANYONE,
    responses: { 204: signedOut, ...problemResponses(...UNSAFE_PROBLEMS, 503) },
  },
  logoutAll: {
    summary: "Sign out of every session",
    security: SIGNED_IN,
    responses: { 204: signedOut, ...problemResponses(401, ...UNSAFE_PROBLEMS, 503) },
  },
  logoutOthers: {
    summary: "Sign out of every other session",
    security: SIGNED_IN,
    responses: {
      204: { description: "The other sessions are revoked." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 503),
    },
  },
  session: {
    summary: "The access token's claims (no database query)",
    description:
      "Not signed in: 401 (`/problems/session-ended` with its `reason` when the cookies named a session that ended). With `optional=true` the same is a 200 `{session: null}`, with `ended.reason` when there is one: a probe that a browser does not log as an error. The cookies of an ended session are cleared either way.",
    security: SIGNED_IN,
    parameters: [
      {
        in: "query",
        name: "optional",
        required: false,
        schema: { type: "string", enum: ["true", "false"] },
        description:
          "`true`: answer 200 `{session: null}` rather than 401 when not signed in. Read only when not signed in.",
      },
    ],
    responses: {
      200: jsonResponse(
        "The session; or, with `optional=true` and not signed in, `session: null`.",
        z.union([sessionResponseSchema, signedOutSessionSchema]),
      ),
      ...problemResponses(400, 401, 503),
    },
  },
  me: {
    summary: "The signed-in user's profile",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The user.", userResponseSchema),
      ...problemResponses(401, 503),
    },
  },
  sessions: {
    summary: "The user's live sessions",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The live sessions, `current` marking this one.", sessionsResponseSchema),
      ...problemResponses(401, 503),
    },
  },
  revokeSession: {
    summary: "Revoke one of the user's sessions",
    security: SIGNED_IN,
    responses: {
      204: { description: "Revoked (the cookies are cleared when it was this session)." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, 404, 503),
    },
  },
  changePassword: {
    summary: "Change the password; every other session is revoked",
    security: SIGNED_IN,
    responses: {
      204: { description: "Changed." },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  },
  reauthenticate: {
    summary: "Confirm it's you with the password (step-up)",
    description:
      "Sensitive routes need a proof of identity from the last `reauthenticationMaxAgeSeconds`. This records one on the session and sets a fresh access cookie. A user with a second factor must use it instead (403 `/problems/reauthentication-required` listing the `methods`).",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("Confirmed.", reauthenticatedSchema, SET_COOKIE_HEADER),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  },
};

/** One `describeRoute` middleware per core route, tagged `auth`. */
export const describeAuthRoute = Object.fromEntries(
  Object.entries(AUTH_ROUTES).map(([name, spec]) => [name, describeRoute({ tags: TAGS, ...spec })]),
) as Record<AuthRouteName, ReturnType<typeof describeRoute>>;
