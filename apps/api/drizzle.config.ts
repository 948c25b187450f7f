import { defineConfig } from "drizzle-kit";

/**
 * The to-do tables only: the auth package creates and migrates its own (`migrateAuth`).
 * `pnpm db:generate` writes a new migration here after a change to `src/todos/schema.ts`.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/todos/schema.ts"],
  out: "./drizzle",
});
