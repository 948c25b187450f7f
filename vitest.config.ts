import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Two cores: each server test file opens its own database, so keep parallelism modest.
    maxWorkers: 2,
    projects: [
      {
        test: {
          name: "server",
          include: ["packages/*/src/**/*.test.ts", "apps/api/src/**/*.test.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      "apps/web",
    ],
  },
});
