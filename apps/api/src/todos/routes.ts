import { Hono } from "hono";
import { z } from "zod";
import {
  isUuid,
  jsonBody,
  ProblemError,
  safeText,
  type AuthEnv,
  type AuthState,
  type Clock,
} from "@hybrid-auth/auth";
import type { Db } from "@hybrid-auth/db";
import { createTodoStore } from "./todo-store.js";

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

const todoNotFound = () => new ProblemError({ status: 404, detail: "No such to-do." });

function todoId(raw: string): string {
  if (!isUuid(raw)) throw todoNotFound();
  return raw;
}

/** Per-user to-do CRUD. Expects the auth middleware and `requireAuth` in front of it. */
export function createTodoRoutes(deps: { db: Db; clock: Clock }) {
  const store = createTodoStore(deps.db);
  const userOf = (c: { get(key: "auth"): AuthState | null }) => c.get("auth")!.userId;

  return new Hono<AuthEnv>()
    .get("/", async (c) => c.json({ todos: await store.list(userOf(c)) }))
    .post("/", jsonBody(createBody), async (c) => {
      const todo = await store.create(userOf(c), c.req.valid("json").title, deps.clock.now());
      return c.json({ todo }, 201);
    })
    .patch("/:id", jsonBody(updateBody), async (c) => {
      const todo = await store.update(
        userOf(c),
        todoId(c.req.param("id")),
        c.req.valid("json"),
        deps.clock.now(),
      );
      if (!todo) throw todoNotFound();
      return c.json({ todo });
    })
    .delete("/:id", async (c) => {
      const removed = await store.remove(userOf(c), todoId(c.req.param("id")));
      if (!removed) throw todoNotFound();
      return c.body(null, 204);
    });
}
