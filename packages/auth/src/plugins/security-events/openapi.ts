import { z } from "zod";
import {
  describeRoute,
  jsonResponse,
  problemResponses,
  SIGNED_IN,
} from "../../openapi/describe.js";
import { deviceSchema } from "../../openapi/schemas.js";
import { SECURITY_EVENT_TYPES } from "./table.js";

const securityEventSchema = z
  .strictObject({
    id: z.string(),
    type: z.enum(SECURITY_EVENT_TYPES),
    createdAt: z.iso.datetime({ offset: true }),
    ip: z.string().nullable(),
    device: deviceSchema,
    thisDevice: z.boolean(),
    /**
     * Short facts about the event: how a sign-in was made (`methods`), which device a
     * single-device sign-out ended (`device`: "Firefox 131 on Linux"), a passkey's `name`…
     */
    detail: z.record(z.string(), z.string()).optional(),
  })
  .meta({ id: "SecurityEvent" });

/**
 * `GET /activity`'s OpenAPI description: a plugin describes its routes the way the core does,
 * and the host's document picks them up where the plugin's routes are mounted.
 */
export const describeActivityRoute = describeRoute({
  tags: ["auth"],
  summary: "The account's recent security events, newest first",
  security: SIGNED_IN,
  responses: {
    200: jsonResponse("The events.", z.strictObject({ events: z.array(securityEventSchema) })),
    ...problemResponses(401, 503),
  },
});
