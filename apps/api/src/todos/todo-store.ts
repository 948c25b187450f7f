import { and, asc, eq } from "drizzle-orm";
import type { Db } from "@hybrid-auth/db";
import { todos, type TodoRow } from "./schema.js";

export type Todo = {
  id: string;
  title: string;
  completed: boolean;
  createdAt: string;
  updatedAt: string;
};

export function toTodo(row: TodoRow): Todo {
  return {
    id: row.id,
    title: row.title,
    completed: row.completed,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Every query is scoped by owner: another user's to-do is indistinguishable from none. */
export function createTodoStore(db: Db) {
  const owned = (userId: string, id: string) => and(eq(todos.userId, userId), eq(todos.id, id));
  return {
    async list(userId: string): Promise<Todo[]> {
      const rows = await db
        .select()
        .from(todos)
        .where(eq(todos.userId, userId))
        .orderBy(asc(todos.createdAt), asc(todos.id));
      return rows.map(toTodo);
    },
    async create(userId: string, title: string, nowMs: number): Promise<Todo> {
      const now = new Date(nowMs);
      const [row] = await db
        .insert(todos)
        .values({ userId, title, createdAt: now, updatedAt: now })
        .returning();
      return toTodo(row!);
    },
    async update(
      userId: string,
      id: string,
      changes: { title?: string | undefined; completed?: boolean | undefined },
      nowMs: number,
    ): Promise<Todo | undefined> {
      const [row] = await db
        .update(todos)
        .set({ ...changes, updatedAt: new Date(nowMs) })
        .where(owned(userId, id))
        .returning();
      return row && toTodo(row);
    },
    async remove(userId: string, id: string): Promise<boolean> {
      const rows = await db.delete(todos).where(owned(userId, id)).returning({ id: todos.id });
      return rows.length > 0;
    },
  };
}
