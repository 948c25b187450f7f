#!/usr/bin/env node
// Builds the SPA into dist/ unless dist/ is newer than every source. `pnpm start` runs this
// first, so a fresh clone serves the SPA without a separate build step.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const distDir = join(webRoot, "dist");

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

// The build also writes routes.json and the .br/.gz files (vite.config.ts, precompress.mjs).
const inputs = [
  "src",
  "public",
  "index.html",
  "vite.config.ts",
  "scripts/precompress.mjs",
  "package.json",
].map((path) => join(webRoot, path));

/** Builds when forced, when dist/ is missing, or when a source is newer than the build. */
export function ensureBuilt({ force = false } = {}) {
  const builtAt = newestMtime(join(distDir, "index.html"));
  if (!force && builtAt > 0 && Math.max(...inputs.map(newestMtime)) <= builtAt) return false;
  console.log("Building the web app (sources are newer than apps/web/dist)…");
  execFileSync("pnpm", ["exec", "vite", "build", "--logLevel", "warn"], {
    cwd: webRoot,
    stdio: "inherit",
  });
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) ensureBuilt();
