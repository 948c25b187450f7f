import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as chromeLauncher from "chrome-launcher";
import lighthouse, { desktopConfig, type Result } from "lighthouse";
import { chromiumPath, launchOptions } from "./browser";

export type Preset = "mobile" | "desktop";

/** What one Lighthouse run is summed up to (scores 0–100, times in ms, sizes in bytes). */
export type LighthouseFigures = {
  performance: number;
  accessibility: number;
  bestPractices: number;
  seo: number;
  lcpMs: number;
  tbtMs: number;
  cls: number;
  transferBytes: number;
  scriptTransferBytes: number;
};

/** An audit that cost points (or, for performance, time or bytes), with Lighthouse's words. */
export type FailedAudit = {
  category: string;
  id: string;
  score: number | null;
  display: string;
  /** The first thing the audit lists (a console error, a URL, a reason), when it lists any. */
  example?: string;
};

/** `benchmarkIndex`: how fast Lighthouse found this machine (its simulation scales with it). */
export type LighthouseRun = {
  figures: LighthouseFigures;
  failed: FailedAudit[];
  benchmarkIndex: number;
};

// The e2e suite's switches (no calls home: the network is closed), headless.
const CHROME_FLAGS = ["--headless=new", ...(launchOptions.args ?? [])];

let wrapper: string | undefined;

/**
 * Chromium started through `nice -n -10` (a script in a temporary directory): every process
 * it forks, the renderer included, inherits the priority, so Lighthouse's simulation (which
 * scales the main-thread time it observes) depends less on what else the machine runs.
 * Without root, `nice` only warns and Chromium runs at normal priority.
 */
function priorityChromium(): string {
  if (!wrapper) {
    wrapper = join(mkdtempSync(join(tmpdir(), "audit-chromium-")), "chromium");
    writeFileSync(wrapper, `#!/bin/sh\nexec nice -n -10 "${chromiumPath}" "$@" 2>/dev/null\n`, {
      mode: 0o755,
    });
    process.once("exit", () => rmSync(dirname(wrapper!), { recursive: true, force: true }));
  }
  return wrapper;
}

const CATEGORIES = ["performance", "accessibility", "best-practices", "seo"];

/**
 * One Lighthouse 12 navigation of `url` in a fresh Chromium (Debian's), with the default
 * mobile preset (simulated slow 4G and 4× CPU slowdown on a Moto G Power–sized screen) or the
 * desktop one. `cookie` goes with every request as Lighthouse's `extraHeaders` (a signed-in
 * page in a browser profile that is new for each run).
 *
 * @example
 * const { figures } = await runLighthouse("http://localhost:45210/sign-in", "mobile");
 * console.log(figures.performance, figures.lcpMs);
 */
export async function runLighthouse(
  url: string,
  preset: Preset,
  cookie?: string,
): Promise<LighthouseRun> {
  const chrome = await chromeLauncher.launch({
    chromePath: priorityChromium(),
    chromeFlags: CHROME_FLAGS,
    logLevel: "silent",
  });
  try {
    const result = await lighthouse(
      url,
      {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        onlyCategories: CATEGORIES,
        ...(cookie ? { extraHeaders: { Cookie: cookie } } : {}),
      },
      preset === "desktop" ? desktopConfig : undefined,
    );
    if (!result) throw new Error(`Lighthouse returned nothing for ${url}`);
    const lhr = result.lhr;
    if (lhr.runtimeError) {
      throw new Error(`Lighthouse: ${lhr.runtimeError.code} ${lhr.runtimeError.message}`);
    }
    return {
      figures: figuresOf(lhr),
      failed: failedAudits(lhr),
      benchmarkIndex: lhr.environment.benchmarkIndex,
    };
  } finally {
    chrome.kill();
  }
}

function score(lhr: Result, category: string): number {
  return Math.round((lhr.categories[category]?.score ?? 0) * 100);
}

function numeric(lhr: Result, audit: string): number {
  return lhr.audits[audit]?.numericValue ?? Number.NaN;
}

/** The headline figures of a Lighthouse result. */
export function figuresOf(lhr: Result): LighthouseFigures {
  const summary = lhr.audits["resource-summary"]?.details;
  const items =
    summary && "items" in summary
      ? (summary.items as { resourceType?: string; transferSize?: number }[])
      : [];
  return {
    performance: score(lhr, "performance"),
    accessibility: score(lhr, "accessibility"),
    bestPractices: score(lhr, "best-practices"),
    seo: score(lhr, "seo"),
    lcpMs: numeric(lhr, "largest-contentful-paint"),
    tbtMs: numeric(lhr, "total-blocking-time"),
    cls: numeric(lhr, "cumulative-layout-shift"),
    transferBytes: numeric(lhr, "total-byte-weight"),
    scriptTransferBytes: items.find((item) => item.resourceType === "script")?.transferSize ?? 0,
  };
}

/**
 * The audits that cost points: in accessibility, best practices and SEO every weighted audit
 * that did not pass; in performance the metrics below 0.9 and every opportunity or diagnostic
 * Lighthouse flags (they carry no weight in v12 but say where the time goes).
 */
export function failedAudits(lhr: Result): FailedAudit[] {
  const failed: FailedAudit[] = [];
  for (const [categoryId, category] of Object.entries(lhr.categories)) {
    for (const ref of category.auditRefs) {
      const audit = lhr.audits[ref.id];
      if (!audit || audit.scoreDisplayMode === "notApplicable") continue;
      if (audit.scoreDisplayMode === "informative" || audit.scoreDisplayMode === "manual") continue;
      const isMetric = ref.group === "metrics";
      const threshold = categoryId === "performance" && (isMetric || ref.weight === 0) ? 0.9 : 1;
      if (audit.score === null || audit.score >= threshold) continue;
      if (categoryId !== "performance" && ref.weight === 0) continue;
      failed.push({
        category: categoryId,
        id: ref.id,
        score: audit.score,
        display: audit.displayValue ?? audit.title,
        ...(firstItem(audit.details) ? { example: firstItem(audit.details) } : {}),
      });
    }
  }
  return failed;
}

/** The text of the first row of an audit's table or list (its strings, then its URL), if any. */
function firstItem(details: Result["audits"][string]["details"]): string | undefined {
  if (!details || !("items" in details) || !Array.isArray(details.items)) return undefined;
  const item: unknown = details.items[0];
  if (!item || typeof item !== "object") return undefined;
  const texts: string[] = [];
  for (const value of Object.values(item as Record<string, unknown>)) {
    if (typeof value === "string" && value) texts.push(value);
    else if (value && typeof value === "object" && "type" in value && "url" in value) {
      texts.push(String((value as { url: unknown }).url));
    }
  }
  return texts.length ? texts.join(" · ").slice(0, 240) : undefined;
}
