import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type * as Axe from "axe-core";
import type { Page } from "playwright-core";

/**
 * axe-core, run inside a Playwright page: the WCAG 2.0/2.1/2.2 level A and AA rules (the
 * `best-practice` ones are left out: they are advice, not conformance).
 *
 * axe is evaluated through the DevTools protocol, which the page's Content-Security-Policy
 * does not govern: no `bypassCSP`, so the page audited is the page users get.
 */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"];

/** One failed rule on one page: its id, impact and the elements that fail it. */
export type AxeViolation = {
  id: string;
  impact: string;
  help: string;
  nodes: { target: string; html: string; summary: string }[];
};

// Resolved from this file, so it works wherever the caller lives (the e2e suite too).
const axeSource = readFileSync(
  createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
  "utf8",
);

/**
 * Runs the WCAG A/AA rules on the page as it is now and returns the violations (empty when
 * it passes).
 *
 * @example
 * await page.goto("/sign-in");
 * await settle(page);
 * expect(await runAxe(page)).toEqual([]);
 */
export async function runAxe(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => "axe" in window);
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: typeof Axe }).axe;
    const results = await axe.run(document, {
      runOnly: { type: "tag", values: tags },
      resultTypes: ["violations"],
    });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact ?? "unknown",
      help: violation.help,
      nodes: violation.nodes.map((node) => ({
        target: node.target.map(String).join(" "),
        html: node.html.slice(0, 200),
        summary: node.failureSummary ?? "",
      })),
    }));
  }, WCAG_TAGS);
}

/**
 * Waits until what is on screen stops changing: web fonts loaded and every finite CSS
 * animation or transition finished (spinners, which never end, are not waited for). A colour
 * checked mid-transition (a toast fading in, a theme switching) would give a false contrast.
 *
 * @example
 * await page.emulateMedia({ colorScheme: "dark" });
 * await settle(page);
 */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(SETTLE);
}

// A string, not a function: a transpiler's helpers (esbuild's `__name`) do not exist in the
// page. A new viewport or colour scheme reaches the styles at the next frames; only then do
// the transitions it causes exist, so wait two frames before looking, and look again after.
const SETTLE = `(async () => {
  const deadline = performance.now() + 3000;
  await document.fonts.ready;
  for (;;) {
    await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => requestAnimationFrame(resolve));
    const running = document.getAnimations().filter((animation) =>
      animation.playState === "running" &&
      animation.effect?.getComputedTiming().iterations !== Infinity);
    const left = deadline - performance.now();
    if (running.length === 0 || left <= 0) return;
    await Promise.race([
      Promise.all(running.map((animation) => animation.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, left)),
    ]);
  }
})()`;

/**
 * The violations as lines a person can act on: rule, impact, then each element's selector.
 *
 * @example
 * expect(violations, describeViolations(violations)).toEqual([]);
 */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n` +
        violation.nodes
          .map((node) => `    ${node.target}\n      ${node.summary.replace(/\n/g, "\n      ")}`)
          .join("\n"),
    )
    .join("\n");
}
