import { defineConfig } from "vitest/config";

/**
 * The audit's own unit tests (pure helpers): `pnpm vitest run --config
 * apps/web/scripts/audit/vitest.config.ts`. The web project's tests are `src/**` only.
 */
export default defineConfig({
  test: { name: "audit", root: import.meta.dirname, include: ["*.test.ts"] },
});
