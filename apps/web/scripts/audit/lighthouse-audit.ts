import { loadavg } from "node:os";
import { runLighthouse, type FailedAudit, type LighthouseFigures, type Preset } from "./lighthouse";
import { AUDIT_PASSWORD, SAMPLE_TODOS, uniqueEmail } from "./states";
import { kib, markdownTable, medianOf } from "./summary";

/** The four pages of the issue: three signed out, the to-do list signed in (with to-dos). */
export const LIGHTHOUSE_PAGES = [
  { name: "landing", path: "/", signedIn: false },
  { name: "sign-in", path: "/sign-in", signedIn: false },
  { name: "sign-up", path: "/sign-up", signedIn: false },
  { name: "to-dos", path: "/todos", signedIn: true },
] as const;

export type LighthouseResult = {
  page: string;
  preset: Preset;
  runs: (LighthouseFigures & { load1m: number; benchmarkIndex: number })[];
  median: LighthouseFigures;
  /** Each failed audit once, with how many of the runs failed it. */
  failed: (FailedAudit & { runs: number })[];
};

/**
 * A new account with the sample to-dos, as the `Cookie` header of its session. A fresh one for
 * every run: the signed-in page then always shows the same list, and its access token is new.
 */
async function signedInCookie(baseUrl: string): Promise<string> {
  const headers = { "Content-Type": "application/json", Origin: baseUrl };
  const registered = await fetch(`${baseUrl}/api/auth/register`, {
    method: "POST",
    headers,
    body: JSON.stringify({ email: uniqueEmail("lighthouse"), password: AUDIT_PASSWORD }),
  });
  if (registered.status !== 201) {
    throw new Error(`sign-up answered ${registered.status}: ${await registered.text()}`);
  }
  const cookie = registered.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
  for (const title of SAMPLE_TODOS) {
    const created = await fetch(`${baseUrl}/api/todos`, {
      method: "POST",
      headers: { ...headers, Cookie: cookie },
      body: JSON.stringify({ title }),
    });
    if (created.status !== 201) throw new Error(`POST /api/todos answered ${created.status}`);
  }
  return cookie;
}

/**
 * Waits (up to `maxWaitMs`) for the 1-minute load average to fall below `limit`: Lighthouse's
 * simulated throttling scales with how fast the machine seems, so a busy machine skews it.
 */
export async function waitForQuiet(limit = 1.5, maxWaitMs = 120_000): Promise<number> {
  const deadline = Date.now() + maxWaitMs;
  let load = loadavg()[0]!;
  if (load >= limit) console.log(`  load ${load.toFixed(2)} ≥ ${limit}: waiting for it to drop…`);
  while (load >= limit && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    load = loadavg()[0]!;
  }
  if (load >= limit) console.log(`  load still ${load.toFixed(2)}: measuring anyway`);
  return load;
}

/**
 * Lighthouse on each page with each preset, `runs` times; the median of each figure.
 *
 * @example
 * const results = await lighthouseAudit({ baseUrl, runs: 3, presets: ["mobile", "desktop"] });
 * console.log(lighthouseTable(results));
 */
export async function lighthouseAudit(options: {
  baseUrl: string;
  runs: number;
  presets: Preset[];
  pages?: string[];
  /** Wait for the 1-minute load average to fall below this before each run (0: never wait). */
  maxLoad: number;
}): Promise<LighthouseResult[]> {
  const results: LighthouseResult[] = [];
  const pages = LIGHTHOUSE_PAGES.filter(
    (page) => !options.pages || options.pages.includes(page.name),
  );
  for (const page of pages) {
    for (const preset of options.presets) {
      const runs: LighthouseResult["runs"] = [];
      const failedCount = new Map<string, FailedAudit & { runs: number }>();
      for (let run = 1; run <= options.runs; run += 1) {
        const load1m = options.maxLoad > 0 ? await waitForQuiet(options.maxLoad) : loadavg()[0]!;
        const cookie = page.signedIn ? await signedInCookie(options.baseUrl) : undefined;
        const { figures, failed, benchmarkIndex } = await runLighthouse(
          `${options.baseUrl}${page.path}`,
          preset,
          cookie,
        );
        runs.push({ ...figures, load1m, benchmarkIndex });
        for (const audit of failed) {
          const key = `${audit.category}/${audit.id}`;
          const seen = failedCount.get(key);
          failedCount.set(key, { ...audit, runs: (seen?.runs ?? 0) + 1 });
        }
        console.log(
          `  ${page.name} ${preset} run ${run}/${options.runs}: performance ${figures.performance}, ` +
            `accessibility ${figures.accessibility}, best practices ${figures.bestPractices}, ` +
            `SEO ${figures.seo}, LCP ${Math.round(figures.lcpMs)} ms (load ${load1m.toFixed(2)}, benchmark index ${Math.round(benchmarkIndex)})`,
        );
      }
      const median = medianOf(
        runs.map(({ load1m: _l, benchmarkIndex: _b, ...figures }) => figures),
      );
      results.push({ page: page.name, preset, runs, median, failed: [...failedCount.values()] });
    }
  }
  return results;
}

/** The medians as a markdown table. */
export function lighthouseTable(results: LighthouseResult[]): string {
  return markdownTable(
    [
      "page",
      "preset",
      "perf.",
      "a11y",
      "best pr.",
      "SEO",
      "LCP",
      "TBT",
      "CLS",
      "transferred",
      "of which JS",
    ],
    results.map(({ page, preset, median: m }) => [
      page,
      preset,
      String(m.performance),
      String(m.accessibility),
      String(m.bestPractices),
      String(m.seo),
      `${(m.lcpMs / 1000).toFixed(2)} s`,
      `${Math.round(m.tbtMs)} ms`,
      m.cls.toFixed(3),
      kib(m.transferBytes),
      kib(m.scriptTransferBytes),
    ]),
  );
}

/** The audits that cost points, per page and preset, with how many runs failed them. */
export function failedAuditList(results: LighthouseResult[]): string {
  const lines: string[] = [];
  for (const result of results) {
    if (result.failed.length === 0) continue;
    lines.push(`${result.page} (${result.preset}):`);
    for (const audit of result.failed) {
      const score = audit.score === null ? "–" : audit.score.toFixed(2);
      lines.push(
        `  ${audit.category} / ${audit.id} (score ${score}, ${audit.runs}/${result.runs.length} runs): ${audit.display}`,
      );
      if (audit.example) lines.push(`      e.g. ${audit.example}`);
    }
  }
  return lines.length ? lines.join("\n") : "No audit failed.";
}
