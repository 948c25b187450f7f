import { z } from "zod";
import { isUuid } from "@hybrid-auth/auth";
import { invalidQuery } from "@hybrid-auth/auth";

/** Page sizes of `GET /api/todos`. */
export const TODO_PAGE = { defaultLimit: 100, maxLimit: 200 } as const;

/** Where a page ends: the last to-do's `created_at` in microseconds since 1970, and its id. */
export type TodoPosition = { createdAtMicros: string; id: string };

const MAX_CURSOR_LENGTH = 200;

/**
 * The query of `GET /api/todos`. Exported so the OpenAPI document describes the same object
 * that validates the route.
 */
export const listQuery = z.strictObject({
  // Digits only: `1e2`, `0x10` or ` 5` are not whole numbers as a query string spells them.
  limit: z
    .string()
    .regex(/^[1-9][0-9]{0,5}$/, `must be a whole number from 1 to ${TODO_PAGE.maxLimit}`)
    .transform(Number)
    .pipe(z.number().max(TODO_PAGE.maxLimit, `must be at most ${TODO_PAGE.maxLimit}`))
    .optional()
    .describe(`to-dos per page, default ${TODO_PAGE.defaultLimit}`),
  cursor: z
    .string()
    .min(1, "must not be empty")
    .max(MAX_CURSOR_LENGTH, "is not a cursor this API gave")
    .regex(/^[A-Za-z0-9_-]+$/, "is not a cursor this API gave")
    .optional()
    .describe("`nextCursor` of the previous page; omit for the first page"),
});

export type ListQuery = z.output<typeof listQuery>;

/**
 * The opaque cursor: base64url of `[micros, id]`. It names a position, not a row, so a page
 * boundary survives the deletion of the row it was taken from; it carries no user, every
 * query is scoped to the signed-in one.
 */
export function encodeCursor(position: TodoPosition): string {
  return Buffer.from(JSON.stringify([position.createdAtMicros, position.id])).toString("base64url");
}

const MICROS = /^-?\d{1,17}$/;
const badCursor = () =>
  invalidQuery([{ pointer: "/cursor", detail: "is not a cursor this API gave" }]);

/** The position a cursor names; a 400 problem for anything this API did not make. */
export function decodeCursor(cursor: string): TodoPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw badCursor();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== "string" ||
    !MICROS.test(parsed[0]) ||
    typeof parsed[1] !== "string" ||
    !isUuid(parsed[1])
  ) {
    throw badCursor();
  }
  return { createdAtMicros: parsed[0], id: parsed[1] };
}
