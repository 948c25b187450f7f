import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "./server-process.js";

const API_DIR = join(repoRoot, "apps/api");

/**
 * Compiles the floor (`floor-server.ts` and the security headers it shares with the product)
 * to JavaScript with tsc, as `pnpm build` compiles the product, and returns its entry for
 * `startServer({ script })`: measured against the product's compiled code, the floor must not
 * run through tsx either. Output in `apps/api/bench/dist/` (ignored by git).
 *
 * @example
 * const floor = await startServer({ FLOOR_BODY: body }, { script: compileFloor() });
 */
export function compileFloor(): string {
  execFileSync(
    "pnpm",
    [
      "exec",
      "tsc",
      "--ignoreConfig",
      "--rootDir",
      ".",
      "--outDir",
      "bench/dist",
      "--module",
      "NodeNext",
      "--moduleResolution",
      "NodeNext",
      "--target",
      "ES2022",
      "--strict",
      "--skipLibCheck",
      "--types",
      "node",
      "bench/floor-server.ts",
    ],
    { cwd: API_DIR, stdio: "inherit" },
  );
  return "apps/api/bench/dist/bench/floor-server.js";
}
