import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import {
  isForeignKeyViolation,
  isUuid,
  jsonBody,
  ProblemError,
  safeText,
  SIGN_IN_REQUIRED,
  type AuthEnv,
  type AuthState,
  type Clock,
} from "@hybrid-auth/auth";
import type { Db } from "@hybrid-auth/db";
import { queryParams } from "@hybrid-auth/auth";
import { describeTodoRoute as docs, TODO_SCOPES } from "./openapi.js";
import { createTodoStore } from "./todo-store.js";
import { decodeCursor, encodeCursor, listQuery, TODO_PAGE } from "./schemas.js";

export { listQuery };

/** The type of the 409 a create past the per-user cap gets. */
export const TODO_LIMIT_TYPE = "/problems/todo-limit";
/** The cap when the host does not set one (`TODOS_PER_USER_MAX`). */
export const DEFAULT_TODOS_PER_USER_MAX = 1000;

const title = safeText()
  .trim()
  .min(1, "must not be empty")
  .max(500, "must be at most 500 characters");
const createBody = z.strictObject({ title });
const updateBody = z
  .strictObject({ title: title.optional(), completed: z.boolean().optional() })
  .refine((body) => body.title !== undefined || body.completed !== undefined, {
    message: "send at least one of title, completed",
  });

const completeAllBody = z.strictObject({ completed: z.boolean() });

const todoNotFound = () => new ProblemError({ status: 404, detail: "No such to-do." });

function todoId(raw: string): string {
  if (!isUuid(raw)) throw todoNotFound();
  return raw;
}

/** The API-key scopes of the to-dos (`apiKeys({ scopes })`). */
export const TODO_API_KEY_SCOPES = {
  "todos:read": "Read your to-dos",
  "todos:write": "Create, change and delete your to-dos",
} as const;

/**
 * Per-user to-do CRUD. Expects the auth middleware in front of it; each route has its scope
 * gate (`auth.requireScope`): a signed-in user, or an API key with `todos:read` (GET) or
 * `todos:write` (changes) — anything else answers 401 or 403 before the handler.
 */
export function createTodoRoutes(deps: {
  db: Db;
  clock: Clock;
  maxPerUser?: number | undefined;
  requireScope: (scope: keyof typeof TODO_API_KEY_SCOPES) => MiddlewareHandler;
}) {
  const store = createTodoStore(deps.db);
  const maxPerUser = deps.maxPerUser ?? DEFAULT_TODOS_PER_USER_MAX;
  const userOf = (c: { get(key: "auth"): AuthState | null }) => c.get("auth")!.userId;
  const read = deps.requireScope(TODO_SCOPES.list);
  const write = deps.requireScope("todos:write");

  return new Hono<AuthEnv>()
    .get("/", docs.list, read, queryParams(listQuery), async (c) => {
      const { limit = TODO_PAGE.defaultLimit, cursor } = c.req.valid("query");
      const page = await store.page(userOf(c), {
        limit,
        after: cursor === undefined ? undefined : decodeCursor(cursor),
      });
      return c.json({ todos: page.todos, nextCursor: page.next && encodeCursor(page.next) });
    })
    .post("/", docs.create, write, jsonBody(createBody), async (c) => {
      const title = c.req.valid("json").title;
      const todo = await store
        .create(userOf(c), title, deps.clock.now(), maxPerUser)
        .catch((error: unknown) => {
          // The account was deleted after this request was authenticated (its access token
          // was still in flight): the session is over, nothing was written.
          if (isForeignKeyViolation(error)) throw new ProblemError(SIGN_IN_REQUIRED);
          throw error;
        });
      if (!todo) {
        throw new ProblemError({
          status: 409,
          type: TODO_LIMIT_TYPE,
          title: "To-do limit reached",
          detail: `An account can keep at most ${maxPerUser} to-dos. Delete some to add more.`,
        });
      }
      return c.json({ todo }, 201);
    })
    .patch("/", docs.updateAll, write, jsonBody(completeAllBody), async (c) => {
      const { completed } = c.req.valid("json");
      const updated = await store.setAllCompleted(userOf(c), completed, deps.clock.now());
      return c.json({ updated });
    })
    .patch("/:id", docs.update, write, jsonBody(updateBody), async (c) => {
      const todo = await store.update(
        userOf(c),
        todoId(c.req.param("id")),
        c.req.valid("json"),
        deps.clock.now(),
      );
      if (!todo) throw todoNotFound();
      return c.json({ todo });
    })
    .delete("/:id", docs.remove, write, async (c) => {
      const removed = await store.remove(userOf(c), todoId(c.req.param("id")));
      if (!removed) throw todoNotFound();
      return c.body(null, 204);
    });
}
