import type { Context, Hono } from "hono";
import { generateSpecs } from "hono-openapi";
import type { OpenAPIV3_1 } from "openapi-types";
import type { AuthRuntime } from "../runtime.js";
import {
  ACCESS_COOKIE_SCHEME,
  API_KEY_SCHEME,
  BEARER_SCHEME,
  SESSION_COOKIE_SCHEME,
} from "./describe.js";

export type OpenApiDocumentOptions = {
  /** The document's `info` (title, version, description). */
  info: OpenAPIV3_1.InfoObject;
  /** The auth instance whose cookies the security schemes name (`createAuth`'s result). */
  auth: { internals: Pick<AuthRuntime, "cookies"> };
  servers?: OpenAPIV3_1.ServerObject[];
  tags?: OpenAPIV3_1.TagObject[];
  /** Paths left out of the document (e.g. static assets): exact strings or patterns. */
  exclude?: (string | RegExp)[];
};

/**
 * The security schemes of the two auth cookies, under the names this deployment uses, and
 * the bearer scheme of API keys (routes behind `requireScope` name it with their scope).
 */
export function authSecuritySchemes(auth: OpenApiDocumentOptions["auth"]) {
  const { secure, accessName, sessionName } = auth.internals.cookies.settings;
  const onWire = (name: string) => (secure ? `__Host-${name}` : name);
  const schemes: Record<string, OpenAPIV3_1.SecuritySchemeObject> = {
    [ACCESS_COOKIE_SCHEME]: {
      type: "apiKey",
      in: "cookie",
      name: onWire(accessName),
      description:
        "The short-lived access JWT (HttpOnly). Set by sign-in and silently reissued from the session cookie.",
    },
    [SESSION_COOKIE_SCHEME]: {
      type: "apiKey",
      in: "cookie",
      name: onWire(sessionName),
      description:
        "The long-lived session token (HttpOnly); alone it is enough: a fresh access cookie comes back on the same answer.",
    },
    [BEARER_SCHEME]: {
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
      description:
        "For clients without cookies: the access token of `POST /api/auth/token`, refreshed there with its refresh token (no silent reissue: an expired token is a 401 `invalid_token`). Never together with the auth cookies (400 `/problems/mixed-credentials`); needs no CSRF check.",
    },
    [API_KEY_SCHEME]: {
      type: "http",
      scheme: "bearer",
      description:
        'An API key (`Authorization: Bearer hak_…`): only the routes that list it, with one of its scopes. Never together with the auth cookies (400 `/problems/mixed-credentials`); an invalid, revoked or expired key answers 401 with `WWW-Authenticate: Bearer error="invalid_token"`.',
    },
  };
  return schemes;
}

/**
 * The OpenAPI 3.1 document of a Hono app, generated from the descriptions its routes carry
 * (`describeRoute`, and the request-body schemas `jsonBody` validates with): the core's auth
 * routes, every plugin's, and the host's own. Routes without a description are left out; the
 * host's tests should check that none is (walk `app.routes`).
 *
 * @example
 * const { app, auth } = await createApp(deps);
 * const document = await openApiDocument(app, { auth, info: { title: "Tidy", version: "1" } });
 */
export async function openApiDocument(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any env, schema and base path
  app: Hono<any, any, any>,
  options: OpenApiDocumentOptions,
  c?: Context,
): Promise<OpenAPIV3_1.Document> {
  const document = await generateSpecs(
    app,
    {
      documentation: {
        info: options.info,
        ...(options.servers ? { servers: options.servers } : {}),
        ...(options.tags ? { tags: options.tags } : {}),
        components: { securitySchemes: authSecuritySchemes(options.auth) },
      },
      exclude: options.exclude ?? [],
      // `/openapi.json` is a route like any other (hono-openapi drops paths with a dot by default).
      excludeStaticFile: false,
      // Our 400 is a problem+json and every body route describes it itself.
      defaultValidationErrorResponse: false,
    },
    c,
  );
  return document as OpenAPIV3_1.Document;
}
