import { defineConfig } from "vitest/config";

/** Workspace packages resolve to their TypeScript sources in tests (no build step). */
const conditions = ["@hybrid-auth/source", "module", "node", "development|production"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@hybrid-auth/source"] } },
  test: {
    // Two cores: each server test file opens its own database, so keep parallelism modest.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "server",
          include: [
            "packages/*/src/**/*.test.ts",
            "apps/api/src/**/*.test.ts",
            "examples/*/src/**/*.test.ts",
          ],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
      "apps/web",
    ],
  },
});
