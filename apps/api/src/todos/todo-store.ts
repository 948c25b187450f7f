import { and, asc, eq, getTableColumns, ne, sql } from "drizzle-orm";
import type { Db } from "@hybrid-auth/db";
import { todoCounts, todos, type TodoRow } from "./schema.js";
import type { TodoPosition } from "./schemas.js";

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

/**
 * `created_at` in whole microseconds, exactly as stored: a JavaScript `Date` keeps only
 * milliseconds, and a cursor rounded down would repeat rows, rounded up skip them.
 */
const createdAtMicros = sql<string>`(extract(epoch from ${todos.createdAt}) * 1000000)::bigint::text`;

export type TodoPage = { todos: Todo[]; next: TodoPosition | null };

/** Every query is scoped by owner: another user's to-do is indistinguishable from none. */
export function createTodoStore(db: Db) {
  const owned = (userId: string, id: string) => and(eq(todos.userId, userId), eq(todos.id, id));
  return {
    /**
     * One page in the list's order, oldest first, `(created_at, id)`: a keyset, so rows added
     * or deleted meanwhile never shift a page boundary (no repeats, no gaps), and a page is one
     * range of `todos_user_id_created_at_id_idx`.
     */
    async page(
      userId: string,
      { limit, after }: { limit: number; after?: TodoPosition | undefined },
    ): Promise<TodoPage> {
      const rows = await db
        .select({ ...getTableColumns(todos), micros: createdAtMicros })
        .from(todos)
        .where(
          and(
            eq(todos.userId, userId),
            after &&
              sql`(${todos.createdAt}, ${todos.id}) > (timestamptz 'epoch' + ${after.createdAtMicros}::bigint * interval '1 microsecond', ${after.id}::uuid)`,
          ),
        )
        .orderBy(asc(todos.createdAt), asc(todos.id))
        .limit(limit + 1);
      const more = rows.length > limit;
      const shown = more ? rows.slice(0, limit) : rows;
      const last = shown.at(-1);
      return {
        todos: shown.map(toTodo),
        next: more && last ? { createdAtMicros: last.micros, id: last.id } : null,
      };
    },
    /**
     * Creates a to-do unless the user already has `max`: `null` then, and nothing written.
     * The user's `todo_counts` row is incremented only while below `max`, in one conditional
     * upsert that holds its row lock to the end of the transaction: creates racing at
     * `max - 1` queue on that row and the second sees the first's count (a `count(*)` followed
     * by an insert would let both pass under READ COMMITTED).
     */
    async create(userId: string, title: string, nowMs: number, max: number): Promise<Todo | null> {
      const now = new Date(nowMs);
      return db.transaction(async (tx) => {
        const [slot] = await tx
          .insert(todoCounts)
          .values({ userId, count: 1 })
          .onConflictDoUpdate({
            target: todoCounts.userId,
            set: { count: sql`${todoCounts.count} + 1` },
            setWhere: sql`${todoCounts.count} < ${max}`,
          })
          .returning({ count: todoCounts.count });
        if (!slot) return null;
        const [row] = await tx
          .insert(todos)
          .values({ userId, title, createdAt: now, updatedAt: now })
          .returning();
        return toTodo(row!);
      });
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
    /** Marks every to-do of the user done (or not done); resolves with how many changed. */
    async setAllCompleted(userId: string, completed: boolean, nowMs: number): Promise<number> {
      const rows = await db
        .update(todos)
        .set({ completed, updatedAt: new Date(nowMs) })
        .where(and(eq(todos.userId, userId), ne(todos.completed, completed)))
        .returning({ id: todos.id });
      return rows.length;
    },
    async remove(userId: string, id: string): Promise<boolean> {
      return db.transaction(async (tx) => {
        const rows = await tx.delete(todos).where(owned(userId, id)).returning({ id: todos.id });
        if (rows.length === 0) return false;
        await tx
          .update(todoCounts)
          .set({ count: sql`greatest(${todoCounts.count} - 1, 0)` })
          .where(eq(todoCounts.userId, userId));
        return true;
      });
    },
  };
}
