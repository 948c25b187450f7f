#!/usr/bin/env node
// Lints the packed package the way the registry would serve it: builds, packs to a temp dir,
// then runs publint (--strict: warnings fail too) and Are the Types Wrong (esm-only profile:
// the package ships ESM only, so CommonJS resolution is not checked) on the tarball.
//
// Usage: node packages/auth/scripts/lint-package.mjs   (or `pnpm --filter @hybrid-auth/auth lint:package`)

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(packageDir, "../..");

/** Runs a command with inherited output; returns whether it succeeded. */
function run(title, command, args, cwd) {
  console.log(`\n== ${title}\n$ ${command} ${args.join(" ")}`);
  const t0 = Date.now();
  const result = spawnSync(command, args, { cwd, stdio: "inherit" });
  const ok = result.status === 0 && !result.error;
  const why = result.error ? String(result.error) : `exit code ${result.status}`;
  console.log(
    `-- ${title}: ${ok ? "ok" : `FAILED (${why})`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  return ok;
}

const packDir = fs.mkdtempSync(path.join(os.tmpdir(), "hybrid-auth-lint-"));
const failures = [];
try {
  // --force: `tsc -b` trusts its .tsbuildinfo and would not rebuild a deleted dist/.
  if (!run("build", "pnpm", ["--filter", "@hybrid-auth/auth", "build", "--force"], repoRoot)) {
    failures.push("build");
  } else if (!run("pack", "pnpm", ["pack", "--pack-destination", packDir], packageDir)) {
    failures.push("pack");
  } else {
    const tarballs = fs.readdirSync(packDir).filter((name) => name.endsWith(".tgz"));
    if (tarballs.length !== 1) {
      console.log(`expected one tarball in ${packDir}, found: ${tarballs.join(", ") || "none"}`);
      failures.push("pack");
    } else {
      const tarball = path.join(packDir, tarballs[0]);
      const size = (fs.statSync(tarball).size / 1024).toFixed(1);
      console.log(`\ntarball: ${tarballs[0]} (${size} KB)`);
      const publint = ["exec", "publint", "run", tarball, "--strict"];
      if (!run("publint", "pnpm", publint, packageDir)) failures.push("publint");
      const attw = ["exec", "attw", tarball, "--profile", "esm-only"];
      if (!run("attw", "pnpm", attw, packageDir)) failures.push("attw");
    }
  }
} finally {
  fs.rmSync(packDir, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.log(`\nlint-package: FAILED (${failures.join(", ")})`);
  process.exit(1);
}
console.log("\nlint-package: publint and attw passed");
