import { boolean, index, integer, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { users } from "@hybrid-auth/auth/schema";

export const todos = pgTable(
  "todos",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    completed: boolean("completed").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  // The list's order and its keyset cursor, `(created_at, id)` within one user; also counts a
  // user's to-dos for the per-user cap with an index-only scan.
  (table) => [index("todos_user_id_created_at_id_idx").on(table.userId, table.createdAt, table.id)],
);

export type TodoRow = typeof todos.$inferSelect;

/**
 * How many to-dos each user has, for the per-user cap: kept by the to-do store in the
 * transaction of every create and delete, so a create costs one conditional upsert of this row
 * (which also serialises one user's creates) instead of a count of their to-dos.
 */
export const todoCounts = pgTable("todo_counts", {
  userId: uuid("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  count: integer("count").notNull(),
});
