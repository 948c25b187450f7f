#!/usr/bin/env node
// Builds what `pnpm start` runs, skipping what is up to date: the server (apps/api and the
// packages it uses, compiled by `tsc -b` to JavaScript in each dist/) and the SPA
// (apps/web/dist, rebuilt when a source is newer). About a second when nothing changed.
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureBuilt } from "../apps/web/scripts/build-if-needed.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

execFileSync("pnpm", ["exec", "tsc", "-b", "apps/api/tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
ensureBuilt();
