import { z } from "zod";
import {
  describeRoute,
  jsonResponse,
  problemResponses,
  queryParameters,
  signedInOrKey,
  type RouteDescription,
} from "@hybrid-auth/auth";
import { listQuery, TODO_PAGE } from "./schemas.js";

/**
 * The OpenAPI descriptions of the to-do routes. The request bodies come from the schemas the
 * routes validate with (`jsonBody` carries them); these are the answers.
 */
const todoSchema = z
  .strictObject({
    id: z.uuid(),
    title: z.string(),
    completed: z.boolean(),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "Todo" });

const todoResponse = z.strictObject({ todo: todoSchema });
const todoListResponse = z.strictObject({
  todos: z.array(todoSchema),
  nextCursor: z
    .string()
    .nullable()
    .meta({ description: "Pass as `cursor` for the next page; `null` on the last one." }),
});

const TAGS = ["todos"];
const ID = [
  {
    in: "path" as const,
    name: "id",
    required: true,
    schema: { type: "string" as const },
    description: "The to-do's id (anything else is a 404).",
  },
];

const TODO_ROUTES = {
  list: {
    summary: "The user's to-dos, oldest first, a page at a time",
    description: `At most \`limit\` (default ${TODO_PAGE.defaultLimit}, at most ${TODO_PAGE.maxLimit}) per page; follow \`nextCursor\` for the next.`,
    parameters: queryParameters(listQuery),
    responses: {
      200: jsonResponse("The to-dos.", todoListResponse),
      ...problemResponses(400, 401, 403, 503),
    },
  },
  create: {
    summary: "Create a to-do",
    responses: {
      201: jsonResponse("Created.", todoResponse),
      ...problemResponses(400, 401, 403, 409, 413, 415, 422, 503),
    },
  },
  updateAll: {
    summary: "Mark every to-do done (or not done)",
    description: 'One statement for the whole list ("mark all done"); answers how many changed.',
    responses: {
      200: jsonResponse("Updated.", z.strictObject({ updated: z.number().int().min(0) })),
      ...problemResponses(400, 401, 403, 413, 415, 422, 503),
    },
  },
  update: {
    summary: "Change a to-do's title or completion",
    parameters: ID,
    responses: {
      200: jsonResponse("Updated.", todoResponse),
      ...problemResponses(400, 401, 403, 404, 413, 415, 422, 503),
    },
  },
  remove: {
    summary: "Delete a to-do",
    parameters: ID,
    responses: {
      204: { description: "Deleted." },
      ...problemResponses(401, 403, 404, 413, 503),
    },
  },
} satisfies Record<string, RouteDescription>;

/** The API-key scope each to-do route needs: reading, or changing. */
export const TODO_SCOPES = {
  list: "todos:read",
  create: "todos:write",
  updateAll: "todos:write",
  update: "todos:write",
  remove: "todos:write",
} as const satisfies Record<keyof typeof TODO_ROUTES, string>;

/**
 * One `describeRoute` middleware per to-do route: a signed-in user, or an API key with the
 * route's scope (403 `/problems/insufficient-scope` without it).
 */
export const describeTodoRoute = Object.fromEntries(
  Object.entries(TODO_ROUTES).map(([name, spec]) => [
    name,
    describeRoute({
      tags: TAGS,
      security: signedInOrKey(TODO_SCOPES[name as keyof typeof TODO_ROUTES]),
      ...spec,
    }),
  ]),
) as Record<keyof typeof TODO_ROUTES, ReturnType<typeof describeRoute>>;
