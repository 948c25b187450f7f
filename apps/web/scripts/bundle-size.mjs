#!/usr/bin/env node
// Prints the gzipped size of the JavaScript a first visit downloads before the app can start:
// the module scripts and modulepreloads of dist/index.html plus everything they import
// statically. Lazy chunks (route pages, the password-strength dictionaries) are listed apart.
//
//   pnpm --filter @hybrid-auth/web size            build if sources changed, then measure
//   pnpm --filter @hybrid-auth/web size --build    always rebuild first
//   pnpm --filter @hybrid-auth/web size --budget=80   exit 1 above 80 KB gzipped (default 80)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { distDir, ensureBuilt } from "./build-if-needed.mjs";

const dist = distDir;
const args = process.argv.slice(2);
const budgetArg = args.find((arg) => arg.startsWith("--budget="));
const budgetKb = budgetArg ? Number(budgetArg.split("=")[1]) : 80;

ensureBuilt({ force: args.includes("--build") });

const html = readFileSync(join(dist, "index.html"), "utf8");
if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(html)) {
  console.error("dist/index.html contains an inline <script>: a strict CSP would block it.");
  process.exitCode = 1;
}

const entryRefs = [
  ...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g),
].map((match) => match[1]);

const toFile = (ref, from = dist) =>
  ref.startsWith("/") ? join(dist, ref.replace(/^\/+/, "")) : resolve(from, ref);

// Static imports in Rolldown/Rollup output: `import{a as b}from"./x.js"`, `import"./y.js"`,
// `export{c}from"./z.js"`. Dynamic `import("./page.js")` is lazy and not followed.
const STATIC_IMPORT =
  /(?:^|[;\s}])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["'](\.{1,2}\/[^"']+\.js)["']/g;
const DYNAMIC_IMPORT = /import\(\s*["'`](\.{1,2}\/[^"'`]+\.js)["'`]\s*\)/g;

const initial = new Set();
const queue = entryRefs.map((ref) => toFile(ref));
while (queue.length > 0) {
  const file = queue.shift();
  if (initial.has(file) || !file.endsWith(".js")) continue;
  initial.add(file);
  const code = readFileSync(file, "utf8");
  for (const match of code.matchAll(STATIC_IMPORT)) queue.push(toFile(match[1], dirname(file)));
}

const gz = (file) => gzipSync(readFileSync(file), { level: 9 }).byteLength;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

let rawTotal = 0;
let gzTotal = 0;
console.log("\nInitial JavaScript (index.html entry + static imports):");
for (const file of initial) {
  const raw = statSync(file).size;
  const zipped = gz(file);
  rawTotal += raw;
  gzTotal += zipped;
  console.log(
    `  ${relative(dist, file).padEnd(44)} ${kb(raw).padStart(10)}  ${kb(zipped).padStart(9)} gz`,
  );
}

const lazy = readdirSync(join(dist, "assets"))
  .filter((name) => name.endsWith(".js"))
  .map((name) => join(dist, "assets", name))
  .filter((file) => !initial.has(file));
const lazyGz = lazy.reduce((sum, file) => sum + gz(file), 0);
const biggestLazy = lazy
  .map((file) => ({ file, size: gz(file) }))
  .sort((a, b) => b.size - a.size)
  .slice(0, 3)
  .map(({ file, size }) => `${relative(dist, file)} (${kb(size)} gz)`);
const dynamicRefs = new Set(
  [...initial].flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(DYNAMIC_IMPORT)].map((m) => m[1]),
  ),
);

console.log(`\nInitial JS: ${kb(rawTotal)} raw, ${kb(gzTotal)} gzipped (budget ${budgetKb} KB)`);
console.log(
  `Lazy JS: ${lazy.length} chunks, ${kb(lazyGz)} gzipped, loaded on demand (${dynamicRefs.size} dynamic imports from the entry); largest: ${biggestLazy.join(", ")}`,
);
if (gzTotal > budgetKb * 1024) {
  console.error(`Over budget by ${kb(gzTotal - budgetKb * 1024)}.`);
  process.exitCode = 1;
}
