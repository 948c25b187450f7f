import type { Context } from "hono";
import { validator } from "hono/validator";
import { resolver, uniqueSymbol } from "hono-openapi";
import { z } from "zod";
import { ProblemError, validationError, type FieldError } from "./problem.js";

/**
 * A body of thousands of unknown keys must not get an answer several times its own size: the
 * errors listed are capped, the count is told.
 */
export const MAX_REPORTED_ERRORS = 20;

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

function toPointer(path: readonly PropertyKey[]): string {
  return path.map((part) => `/${String(part).replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        pointer: toPointer([...issue.path, key]),
        detail: "is not an accepted field",
      }));
    }
    return [{ pointer: toPointer(issue.path), detail: issue.message }];
  });
}

function requireJsonContentType(c: Context): void {
  const mediaType = c.req.header("Content-Type")?.split(";")[0]?.trim() ?? "";
  if (!JSON_MEDIA_TYPE.test(mediaType)) {
    throw new ProblemError({
      status: 415,
      detail: "Send the request body as application/json.",
      headers: { "Accept-Post": "application/json", "Accept-Patch": "application/json" },
    });
  }
}

/**
 * Validates a JSON request body against a zod schema: 415 when the body is not JSON, 400 when
 * it does not parse (raised by Hono's validator), 422 with one entry per invalid field.
 * The parsed value keeps its type for handlers and for Hono's typed client.
 */
export function jsonBody<T extends z.ZodType>(schema: T) {
  const middleware = validator("json", (value, c): z.output<T> => {
    requireJsonContentType(c);
    const result = schema.safeParse(value);
    if (!result.success) {
      const errors = fieldErrors(result.error);
      throw validationError(
        errors.slice(0, MAX_REPORTED_ERRORS),
        errors.length > MAX_REPORTED_ERRORS
          ? `${errors.length} fields are invalid; the first ${MAX_REPORTED_ERRORS} are listed.`
          : undefined,
      );
    }
    return result.data;
  });
  // The OpenAPI document's request body is this very schema (hono-openapi finds it here).
  Object.assign(middleware, {
    [uniqueSymbol]: { target: "json", ...resolver(schema), options: undefined },
  });
  return middleware;
}

/**
 * Characters that make a displayed name lie about itself: control characters, bidirectional
 * overrides and isolates (which reorder what follows), zero-width spaces and marks. Joiners
 * (U+200C, U+200D) stay: scripts and emoji need them.
 */
const DECEPTIVE_IN_NAMES =
  /[\p{Cc}\u061C\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/u;

/** A person's display name: {@link safeText}, trimmed, at most 100, nothing deceptive. */
export function displayName() {
  return safeText()
    .trim()
    .max(100, "must be at most 100 characters")
    .refine(
      (value) => !DECEPTIVE_IN_NAMES.test(value),
      "must not contain control, direction-changing or invisible characters",
    );
}

/** Text that PostgreSQL can store and that round-trips: no NUL, no lone surrogates. */
export function safeText() {
  return z
    .string()
    .refine((value) => !value.includes("\u0000"), "must not contain NUL characters")
    .refine((value) => value.isWellFormed(), "must be valid Unicode");
}
