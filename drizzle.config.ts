import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: ["./packages/auth/src/schema.ts", "./apps/api/src/todos/schema.ts"],
  out: "./drizzle",
});
