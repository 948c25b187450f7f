import { validator } from "hono/validator";
import type { z } from "zod";
import { MAX_REPORTED_ERRORS } from "./json-body.js";
import { ProblemError, type FieldError } from "./problem.js";

/** The type of the 400 a malformed query string gets. */
export const INVALID_QUERY_TYPE = "/problems/invalid-query";

/**
 * The 400 of a malformed query string: RFC 9457, one entry per parameter, its `pointer` naming
 * the parameter (`/limit`) as for a body field. 400, not 422: the query is part of the target
 * URI, not content the server could not process.
 */
export function invalidQuery(errors: FieldError[]): ProblemError {
  const shown = errors.slice(0, MAX_REPORTED_ERRORS);
  return new ProblemError({
    status: 400,
    type: INVALID_QUERY_TYPE,
    title: "Your request is not valid",
    detail:
      errors.length > shown.length
        ? `${errors.length} query parameters are invalid; the first ${shown.length} are listed.`
        : "One or more query parameters are invalid.",
    errors: shown,
  });
}

const pointer = (path: readonly PropertyKey[]) =>
  path.map((part) => `/${String(part).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");

/**
 * Validates the query string against a zod object schema, in the style of `jsonBody`: a
 * repeated parameter arrives as an array (and fails a string schema), an unknown one is
 * refused when the schema is strict. The parsed value keeps its type for handlers and for
 * Hono's typed client (`query: {…}`).
 *
 * @example
 * const listQuery = z.strictObject({ cursor: z.string().max(200).optional() });
 * app.get("/notes", queryParams(listQuery), (c) => c.json(list(c.req.valid("query").cursor)));
 */
export function queryParams<T extends z.ZodType>(schema: T) {
  return validator("query", (value): z.output<T> => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    throw invalidQuery(
      result.error.issues.flatMap((issue): FieldError[] =>
        issue.code === "unrecognized_keys"
          ? issue.keys.map((key) => ({
              pointer: pointer([key]),
              detail: "is not an accepted parameter",
            }))
          : [{ pointer: pointer(issue.path), detail: issue.message }],
      ),
    );
  });
}
