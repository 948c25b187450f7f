import { z } from "zod";
import { describeRoute, jsonResponse, problemResponses } from "@hybrid-auth/auth";

const TAGS = ["health"];

/** The OpenAPI descriptions of the health routes (open to anyone, no cookies). */
export const describeHealthRoute = {
  health: describeRoute({
    tags: TAGS,
    summary: "Liveness (no database)",
    security: [],
    responses: { 200: jsonResponse("Alive.", z.strictObject({ status: z.literal("ok") })) },
  }),
  ready: describeRoute({
    tags: TAGS,
    summary: "Readiness: the database is reachable and migrated",
    security: [],
    responses: {
      200: jsonResponse("Ready.", z.strictObject({ status: z.literal("ready") })),
      ...problemResponses(503),
    },
  }),
};
