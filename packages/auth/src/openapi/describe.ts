import type { MiddlewareHandler } from "hono";
import {
  resolver,
  uniqueSymbol,
  type DescribeRouteOptions,
  type ResolverReturnType,
} from "hono-openapi";
import type { OpenAPIV3_1 } from "openapi-types";
import { z } from "zod";
import { passesThrough } from "../http/pass-through.js";
import { problemSchema, unauthorizedProblemSchema, validationProblemSchema } from "./schemas.js";

/** An operation's OpenAPI description, responses' schemas given as zod (see `jsonContent`). */
export type RouteDescription = DescribeRouteOptions;
type Responses = NonNullable<DescribeRouteOptions["responses"]>;

/**
 * Attaches an OpenAPI description to a route, for `openApiDocument` (and hono-openapi's
 * `openAPIRouteHandler`) to find when it walks the app's routes. At run time it only calls
 * `next()`: unlike hono-openapi's own `describeRoute`, no extra async frame per request.
 *
 * @example
 * app.get(
 *   "/api/notes",
 *   describeRoute({
 *     summary: "The user's notes",
 *     security: SIGNED_IN,
 *     responses: { 200: jsonResponse("The notes", notesSchema), ...problemResponses(401) },
 *   }),
 *   requireAuth,
 *   listNotes,
 * );
 */
export function describeRoute(spec: RouteDescription): MiddlewareHandler {
  const middleware: MiddlewareHandler = (_c, next) => next();
  return passesThrough(Object.assign(middleware, { [uniqueSymbol]: { spec } }));
}

/**
 * The `content` of a JSON request or response whose schema is a zod schema; the document
 * gets `z.toJSONSchema` of that very object.
 *
 * @example
 * const responses = { 200: { description: "The user", content: jsonContent(userSchema) } };
 */
export function jsonContent(schema: z.ZodType): {
  "application/json": { schema: ResolverReturnType };
} {
  return { "application/json": { schema: resolver(schema) } };
}

/**
 * A JSON response described by a zod schema.
 *
 * @example
 * const responses = { 201: jsonResponse("Created", todoResponseSchema) };
 */
export function jsonResponse(
  description: string,
  schema: z.ZodType,
  headers?: Record<string, OpenAPIV3_1.HeaderObject>,
): {
  description: string;
  content: { "application/json": { schema: ResolverReturnType } };
  headers?: Record<string, OpenAPIV3_1.HeaderObject>;
} {
  return { description, content: jsonContent(schema), ...(headers ? { headers } : {}) };
}

/**
 * The query parameters of a route, from the zod object schema that validates its query
 * string (`z.toJSONSchema` of its input side, one parameter per property).
 *
 * @example
 * describeRoute({ parameters: queryParameters(listQuery), responses });
 */
export function queryParameters(schema: z.ZodObject): OpenAPIV3_1.ParameterObject[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as {
    properties?: Record<string, OpenAPIV3_1.SchemaObject>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    const parameter: OpenAPIV3_1.ParameterObject = {
      in: "query",
      name,
      required: json.required?.includes(name) ?? false,
      schema: rest as object,
    };
    if (description) parameter.description = description;
    return parameter;
  });
}

/** Statuses the package answers with a problem+json body. */
/** The problems of every state-changing route: the CSRF check (403) and the body limit (413). */
export const UNSAFE_PROBLEMS = [403, 413] as const;
/** The problems of a JSON body: not JSON (415), malformed (400), invalid (422). */
export const BODY_PROBLEMS = [400, 415, 422] as const;

export type ProblemStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 503;

const RETRY_AFTER: Record<string, OpenAPIV3_1.HeaderObject> = {
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    required: true,
    schema: { type: "integer", minimum: 0 },
  },
};

const PROBLEMS: Record<
  ProblemStatus,
  { description: string; headers?: Record<string, OpenAPIV3_1.HeaderObject> }
> = {
  400: { description: "The body is not well-formed JSON." },
  401: {
    description:
      "Not signed in (or, signing in, wrong credentials). When the request's cookies named a session that has ended: type `/problems/session-ended` with `reason` (a `SessionEndedReason`: `signed_out`, `signed_out_everywhere`, `revoked_by_admin`, `password_changed`, `token_reuse`, `account_disabled`, `account_deleted`, `expired`). On a sensitive route: type `/problems/reauthentication-required`, with the `methods` that can confirm it's you (`POST /reauthenticate…`) and `maxAgeSeconds`.",
  },
  403: {
    description:
      "A cross-site request: a state-changing request needs a same-origin `Origin` (or `Sec-Fetch-Site: same-origin`), the CSRF check.",
  },
  404: { description: "No such resource, or not the user's." },
  405: {
    description: "The path exists, the method does not; `Allow` lists the methods that do.",
    headers: { Allow: { required: true, schema: { type: "string" } } },
  },
  409: { description: "Conflicts with the current state (e.g. the email is taken)." },
  413: { description: "The body is larger than the server's limit." },
  415: { description: "The body is not `application/json`." },
  422: { description: "The body is JSON but invalid: one entry per field in `errors`." },
  429: { description: "Too many attempts; try again later.", headers: RETRY_AFTER },
  503: {
    description: "Overloaded (password hashing queue full) or the database is unreachable.",
    headers: RETRY_AFTER,
  },
};

/**
 * The problem+json (RFC 9457) responses of an operation, with `Retry-After` on 429 and 503
 * and the field errors' schema on 422.
 *
 * @example
 * const responses = { 204: { description: "Deleted" }, ...problemResponses(401, 403, 404) };
 */
export function problemResponses(...statuses: ProblemStatus[]): Responses {
  const responses: Responses = {};
  for (const status of statuses) {
    const { description, headers } = PROBLEMS[status];
    const schema =
      status === 422
        ? validationProblemSchema
        : status === 401
          ? unauthorizedProblemSchema
          : problemSchema;
    responses[status] = {
      description,
      ...(headers ? { headers } : {}),
      content: { "application/problem+json": { schema: resolver(schema) } },
    };
  }
  return responses;
}

/** The names the document gives the auth cookies' security schemes. */
export const ACCESS_COOKIE_SCHEME = "accessCookie";
export const SESSION_COOKIE_SCHEME = "sessionCookie";
/** The bearer transport: an access JWT from `POST /token` in `Authorization: Bearer`. */
export const BEARER_SCHEME = "bearerToken";

/**
 * `security` of an operation that needs a signed-in user: the access cookie, or the session
 * cookie alone (the access token is then silently reissued).
 */
export const SIGNED_IN: OpenAPIV3_1.SecurityRequirementObject[] = [
  { [ACCESS_COOKIE_SCHEME]: [] },
  { [SESSION_COOKIE_SCHEME]: [] },
  { [BEARER_SCHEME]: [] },
];

/** The name the document gives API keys' bearer scheme (see the api-keys plugin). */
export const API_KEY_SCHEME = "apiKey";

/**
 * `security` of an operation behind `requireScope(scope)`: a signed-in user, or an API key
 * holding `scope`.
 *
 * @example
 * describeRoute({ summary: "The to-dos", security: signedInOrKey("todos:read"), responses });
 */
export function signedInOrKey(scope: string): OpenAPIV3_1.SecurityRequirementObject[] {
  return [...SIGNED_IN, { [API_KEY_SCHEME]: [scope] }];
}

/** `security` of an operation open to anyone (signed in or not). */
export const ANYONE: OpenAPIV3_1.SecurityRequirementObject[] = [
  {},
  { [ACCESS_COOKIE_SCHEME]: [] },
  { [SESSION_COOKIE_SCHEME]: [] },
  { [BEARER_SCHEME]: [] },
];

/** `Set-Cookie` on answers that sign in, reissue or sign out. */
export const SET_COOKIE_HEADER: Record<string, OpenAPIV3_1.HeaderObject> = {
  "Set-Cookie": {
    description: "The auth cookies (HttpOnly, SameSite=Lax; `__Host-`, Secure in production).",
    schema: { type: "string" },
  },
};
