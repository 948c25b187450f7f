import { z } from "zod";
import {
  BODY_PROBLEMS,
  describeRoute,
  jsonResponse,
  problemResponses,
} from "../openapi/describe.js";
import { publicUserSchema } from "../openapi/schemas.js";

const tokenPairSchema = z.strictObject({
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

/** The OpenAPI description of `POST /token`. */
export const tokenRouteDocs = describeRoute({
  summary: "Sign in or refresh, with the tokens in the body (native apps, CLIs)",
  description:
    "The bearer transport of the same sessions the cookies carry. `grant_type=password` signs in like `POST /login` (same limits, hooks and devices list) and answers the pair; `grant_type=refresh_token` exchanges the session (refresh) token for a new access token with the session cookie's rotation, grace window and reuse detection — the refresh token changes at most once per access-token lifetime, so keep the one in each answer. Sets no cookie. An account with an enforced second factor gets 403 `/problems/second-factor-required` (no token second step yet).",
  tags: ["auth"],
  security: [{}],
  responses: {
    200: jsonResponse(
      "The pair (and, for a password grant, the user).",
      z.union([tokenPairSchema.extend({ user: publicUserSchema }), tokenPairSchema]),
    ),
    ...problemResponses(...BODY_PROBLEMS, 401, 403, 429, 503),
  },
});
