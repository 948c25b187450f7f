import { z } from "zod";
import {
  BODY_PROBLEMS,
  describeRoute,
  jsonResponse,
  problemResponses,
} from "../openapi/describe.js";
import { publicUserSchema } from "../openapi/schemas.js";

/** The pair a bearer sign-in answers, in RFC 6749 §5.1's names. */
export const tokenPairSchema = z.strictObject({
  access_token: z.string().meta({ description: "The access JWT, for `Authorization: Bearer`." }),
  token_type: z.literal("Bearer"),
  expires_in: z.number().int().meta({ description: "Seconds the access token lives." }),
  refresh_token: z
    .string()
    .meta({
      description:
        "The session token: exchange it here for a new pair. Keep the newest one; an older one presented after the grace window ends the session (reuse detection). Absent when the token presented had just been rotated by a concurrent refresh: keep the one that refresh answered.",
    })
    .optional(),
  refresh_token_expires_in: z
    .number()
    .int()
    .meta({ description: "Seconds until the session's absolute end (idle timeout aside)." })
    .optional(),
});

const secondStepSchema = z.strictObject({
  two_factor_required: z.literal(true),
  methods: z.array(z.string()),
  pending_token: z.string().meta({
    description:
      "Send it as the `Auth-Pending-Sign-In` header to `POST /2fa/verify` with `{code}` or `{recoveryCode}`: that answer carries the pair.",
  }),
  pending_token_expires_in: z.number().int(),
});

/** `Auth-Pending-Sign-In`: a bearer client's pending sign-in, for the second-step routes. */
export const PENDING_SIGN_IN_PARAMETER = {
  in: "header" as const,
  name: "Auth-Pending-Sign-In",
  required: false,
  description:
    "For a client without cookies: the `pending_token` of `POST /token`. The answer then carries the pair (`access_token`, `refresh_token`…) instead of setting cookies; with auth or pending cookies as well, 400 `/problems/mixed-credentials`.",
  schema: { type: "string" as const },
};

/** The OpenAPI description of `POST /token`. */
export const tokenRouteDocs = describeRoute({
  summary: "Sign in or refresh, with the tokens in the body (native apps, CLIs)",
  description:
    "The bearer transport of the same sessions the cookies carry. `grant_type=password` signs in like `POST /login` (same limits, hooks and devices list) and answers the pair; `grant_type=refresh_token` exchanges the session (refresh) token for a new access token with the session cookie's rotation, grace window and reuse detection — the refresh token changes at most once per access-token lifetime, so keep the one in each answer. Sets no cookie. An account with an enforced second factor answers `two_factor_required` with a `pending_token` (5 minutes, single use) for `POST /2fa/verify`.",
  tags: ["auth"],
  security: [{}],
  responses: {
    200: jsonResponse(
      "The pair (and, for a password grant, the user); or the second step a password grant needs.",
      z.union([
        tokenPairSchema.extend({ user: publicUserSchema }),
        tokenPairSchema,
        secondStepSchema,
      ]),
    ),
    ...problemResponses(...BODY_PROBLEMS, 401, 403, 429, 503),
  },
});
