import { z } from "zod";
import {
  ANYONE,
  describeRoute,
  jsonResponse,
  BODY_PROBLEMS,
  problemResponses,
  UNSAFE_PROBLEMS,
  SET_COOKIE_HEADER,
  SIGNED_IN,
} from "../../openapi/describe.js";
import { userResponseSchema } from "../../openapi/schemas.js";

const TAGS = ["account"];

const accepted = jsonResponse(
  "Accepted: the mail is queued.",
  z.strictObject({ message: z.string() }),
);
const done = (description: string) => ({ description });
export const notificationsSchema = z
  .strictObject({ newSignInAlerts: z.boolean() })
  .meta({ id: "MailNotifications" });

/** The OpenAPI descriptions of the account-lifecycle plugin's routes. */
export const accountRouteDocs = {
  requestVerification: describeRoute({
    tags: TAGS,
    summary: "Send the email verification link again",
    description:
      "Signed in: to the account's address (409 when it is verified). Signed out, with `{email}`: the same 202 whether or not an unverified account has that address.",
    security: ANYONE,
    responses: {
      202: accepted,
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  }),
  verify: describeRoute({
    tags: TAGS,
    summary: "Verify the email address with the link's token",
    security: ANYONE,
    responses: {
      204: done("The address is verified."),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  forgot: describeRoute({
    tags: TAGS,
    summary: "Mail a password reset link, if an account has this email",
    description: "The same answer, after the same work, whether or not the account exists.",
    security: ANYONE,
    responses: {
      202: accepted,
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  checkReset: describeRoute({
    tags: TAGS,
    summary: "Whether a password reset link still works (redeems nothing)",
    security: ANYONE,
    responses: {
      204: done("The link works."),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  reset: describeRoute({
    tags: TAGS,
    summary: "Set a new password with the link's token; every session is signed out",
    security: ANYONE,
    responses: {
      204: done("The password is set; every session of the account is revoked."),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  changeEmail: describeRoute({
    tags: TAGS,
    summary: "Ask to change the email address (needs the password)",
    security: SIGNED_IN,
    responses: {
      202: accepted,
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  }),
  confirmEmailChange: describeRoute({
    tags: TAGS,
    summary: "Switch to the new email address with the link's token",
    security: ANYONE,
    responses: {
      204: done("The account uses the new address, verified."),
      ...problemResponses(...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 409, 429, 503),
    },
  }),
  updateProfile: describeRoute({
    tags: TAGS,
    summary: "Edit the profile",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The updated profile.", userResponseSchema),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 503),
    },
  }),
  deleteAccount: describeRoute({
    tags: TAGS,
    summary: "Delete the account and all its data (needs the password)",
    security: SIGNED_IN,
    responses: {
      204: {
        description: "Deleted; every session is revoked, the cookies cleared.",
        headers: SET_COOKIE_HEADER,
      },
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 429, 503),
    },
  }),
  exportData: describeRoute({
    tags: TAGS,
    summary: "Download everything the service holds about the account, as JSON",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The export (an attachment).", z.record(z.string(), z.unknown())),
      ...problemResponses(401, 429, 503),
    },
  }),
  notifications: describeRoute({
    tags: TAGS,
    summary: "Which security mails the account receives",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The settings.", notificationsSchema),
      ...problemResponses(401, 503),
    },
  }),
  updateNotifications: describeRoute({
    tags: TAGS,
    summary: "Choose which security mails the account receives",
    security: SIGNED_IN,
    responses: {
      200: jsonResponse("The settings.", notificationsSchema),
      ...problemResponses(401, ...UNSAFE_PROBLEMS, ...BODY_PROBLEMS, 503),
    },
  }),
};
