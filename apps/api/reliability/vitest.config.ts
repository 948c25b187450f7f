import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

/**
 * `pnpm test:reliability`: load and fault tests against real server processes. Never part of
 * `pnpm test`: the outage test stops the machine's PostgreSQL server for a few seconds.
 * Files run one after another: each one loads the whole machine.
 */
export default defineConfig({
  root: fileURLToPath(new URL("../../..", import.meta.url)),
  test: {
    name: "reliability",
    include: ["apps/api/reliability/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 120_000,
  },
});
