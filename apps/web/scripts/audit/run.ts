#!/usr/bin/env node
// The accessibility and performance audit of the SPA (docs/audit.md says what and why).
//
//   pnpm --filter @hybrid-auth/web audit                  build, start, axe + Lighthouse
//   pnpm --filter @hybrid-auth/web audit --axe            only axe on every page state
//   pnpm --filter @hybrid-auth/web audit --lighthouse --runs=5 --preset=mobile
//   pnpm --filter @hybrid-auth/web audit --url=http://localhost:3000   a running server
//   pnpm --filter @hybrid-auth/web audit --root=/tmp/other-checkout    another checkout's app
//
// Exit code 1 on any axe violation or a state that could not be set up. Lighthouse figures
// are reported (table + JSON in apps/web/audit-report/), never judged here.
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { axeAudit, type AxeRow } from "./axe-audit";
import { failedAuditList, lighthouseAudit, lighthouseTable } from "./lighthouse-audit";
import type { Preset } from "./lighthouse";
import { AUDIT_ADMIN, startApp, type RunningApp } from "./server";
import { VARIANTS } from "./states";
import { markdownTable } from "./summary";

const here = dirname(fileURLToPath(import.meta.url));
const webDir = resolve(here, "../..");

const { values: args } = parseArgs({
  options: {
    axe: { type: "boolean", default: false },
    lighthouse: { type: "boolean", default: false },
    url: { type: "string" },
    root: { type: "string", default: resolve(webDir, "../..") },
    port: { type: "string", default: "45210" },
    runs: { type: "string", default: "3" },
    "max-load": { type: "string", default: "1.5" },
    preset: { type: "string", multiple: true },
    page: { type: "string", multiple: true },
    state: { type: "string", multiple: true },
    "admin-email": { type: "string" },
    "admin-password": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (args.help) {
  console.log(`audit [--axe] [--lighthouse] [--url=URL | --root=DIR --port=N] [--runs=N]
      [--preset=mobile|desktop]… [--page=landing|sign-in|sign-up|to-dos]… [--state=TEXT]…
      [--max-load=1.5] [--admin-email=E --admin-password=P]
  Default: both parts, 3 runs, both presets; each Lighthouse run first waits (up to 2 min) for
  the 1-minute load average to fall below --max-load (0: no wait).`);
  process.exit(0);
}

const both = !args.axe && !args.lighthouse;
const doAxe = both || args.axe;
const doLighthouse = both || args.lighthouse;
const root = resolve(args.root);

/** The commit the app was built from, and whether the tree had uncommitted changes. */
function commitOf(dir: string): string {
  try {
    const hash = execFileSync("git", ["-C", dir, "log", "-1", "--format=%h"], { encoding: "utf8" });
    const dirty = execFileSync(
      "git",
      ["-C", dir, "status", "--porcelain", "--untracked-files=no"],
      {
        encoding: "utf8",
      },
    );
    return `${hash.trim()}${dirty.trim() ? " + uncommitted changes" : ""}`;
  } catch {
    return "unknown";
  }
}

/** The "Initial JS: …" line of the checkout's own bundle-size script (it builds if needed). */
function initialJs(dir: string): string {
  try {
    const output = execFileSync(
      process.execPath,
      [join(dir, "apps/web/scripts/bundle-size.mjs"), "--budget=100000"],
      { cwd: join(dir, "apps/web"), encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    return output.match(/^Initial JS: .*$/m)?.[0] ?? "Initial JS: (not found in the output)";
  } catch (error) {
    return `Initial JS: could not measure (${error instanceof Error ? error.message : error})`;
  }
}

function axeTable(rows: AxeRow[]): string {
  return markdownTable(
    ["state", ...VARIANTS.map((variant) => variant.name)],
    rows.map((row) => [
      row.state,
      ...(row.skipped ? VARIANTS.map(() => `skipped: ${row.skipped}`) : []),
      ...row.cells.map((cell) =>
        cell.error
          ? `error: ${cell.error.slice(0, 60)}`
          : cell.violations.map((violation) => violation.id).join(", ") || "—",
      ),
    ]),
  );
}

function axeDetails(rows: AxeRow[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    for (const cell of row.cells) {
      for (const violation of cell.violations) {
        lines.push(`${row.state} · ${cell.variant} · ${violation.id} (${violation.impact})`);
        for (const node of violation.nodes) lines.push(`    ${node.target}  ${node.html}`);
      }
      if (cell.error) lines.push(`${row.state} · ${cell.variant} · ${cell.error}`);
    }
  }
  return lines.join("\n");
}

const commit = commitOf(root);
let app: RunningApp | null = null;
let exitCode = 0;
// Ctrl-C (or a SIGTERM) stops the app too, and removes its database.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void (app?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });
}
const report: Record<string, unknown> = {
  measuredAt: new Date().toISOString(),
  commit,
  root,
  node: process.version,
};
try {
  let baseUrl = args.url?.replace(/\/$/, "");
  if (!baseUrl) {
    console.log(`Building and starting the app of ${root} (${commit}) on port ${args.port}…`);
    app = await startApp({ root, port: Number(args.port) });
    baseUrl = app.baseUrl;
  }
  report.url = baseUrl;
  const admin =
    args["admin-email"] && args["admin-password"]
      ? { email: args["admin-email"], password: args["admin-password"] }
      : args.url
        ? null
        : AUDIT_ADMIN;

  if (doAxe) {
    console.log(`\naxe (WCAG 2.x A/AA) on every page state at ${baseUrl}:`);
    const rows = await axeAudit({ baseUrl, admin, ...(args.state ? { only: args.state } : {}) });
    report.axe = rows;
    console.log(`\n${axeTable(rows)}\n`);
    const details = axeDetails(rows);
    if (details) {
      console.log(details);
      exitCode = 1;
    }
    const violations = rows.flatMap((row) => row.cells).flatMap((cell) => cell.violations);
    console.log(`axe: ${violations.length} violation(s) in ${rows.length} states × 4 variants`);
  }

  if (doLighthouse) {
    const runs = Number(args.runs);
    const presets = (args.preset ?? ["mobile", "desktop"]) as Preset[];
    console.log(`\nLighthouse 12 at ${baseUrl}, ${runs} run(s) per page and preset:`);
    const results = await lighthouseAudit({
      baseUrl,
      runs,
      presets,
      maxLoad: Number(args["max-load"]),
      ...(args.page ? { pages: args.page } : {}),
    });
    const js = initialJs(root);
    report.lighthouse = results;
    report.initialJs = js;
    console.log(`\nMedian of ${runs} run(s), measured at ${commit}:\n`);
    console.log(lighthouseTable(results));
    console.log(`\n${js}${args.url ? ` (of ${root}, which --url may not be serving)` : ""}`);
    console.log(`\nAudits that cost points:\n${failedAuditList(results)}`);
  }
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await app?.stop();
}

report.load1mAtEnd = loadavg()[0];
const reportDir = join(webDir, "audit-report");
mkdirSync(reportDir, { recursive: true });
// The reports are local: keep git from offering them.
writeFileSync(join(reportDir, ".gitignore"), "*\n");
const file = join(reportDir, `audit-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
console.log(`\nReport: ${file}`);
process.exit(exitCode);
