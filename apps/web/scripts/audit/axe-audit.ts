import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { runAxe, settle, type AxeViolation } from "./axe";
import { launchOptions } from "./browser";
import {
  PAGE_STATES,
  VARIANTS,
  register,
  signIn,
  uniqueEmail,
  type PageState,
  type Variant,
} from "./states";

export type AxeCell = { variant: Variant["name"]; violations: AxeViolation[]; error?: string };
/** `skipped`: why the state was not checked (the admin pages without an administrator). */
export type AxeRow = { state: string; cells: AxeCell[]; skipped?: string };

export type AxeAuditOptions = {
  baseUrl: string;
  /** Signs in for the `admin` states; without it they are reported as skipped. */
  admin: { email: string; password: string } | null;
  /** Only the states whose name contains one of these. */
  only?: string[];
};

/** The error's first line and, for a Playwright timeout, what it was waiting for. */
function firstLines(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const lines = error.message.split("\n");
  const waiting = lines.find((line) => line.includes("waiting for"));
  // eslint-disable-next-line no-control-regex -- Playwright colours its call log
  const clean = (text: string) => text.replace(/\u001b\[\d+m/g, "").trim();
  return [lines[0]!, waiting]
    .filter(Boolean)
    .map((line) => clean(line!))
    .join(" ");
}

async function contextFor(
  browser: Browser,
  state: PageState,
  options: AxeAuditOptions,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: options.baseUrl,
    viewport: VARIANTS[0].viewport,
  });
  if (state.as === "user") await register(context.request, uniqueEmail("state"));
  if (state.as === "admin" && options.admin) {
    await signIn(context.request, options.admin.email, options.admin.password);
  }
  return context;
}

/**
 * axe (WCAG A/AA) on every page state of `PAGE_STATES`, each in the four `VARIANTS` (desktop
 * and 375 px, light and dark). A state is set up once and then resized and re-coloured in
 * place, unless it is transient (a toast), which is set up anew for each variant.
 *
 * @example
 * const rows = await axeAudit({ baseUrl: "http://localhost:45210", admin: null });
 */
export async function axeAudit(options: AxeAuditOptions): Promise<AxeRow[]> {
  const browser = await chromium.launch(launchOptions);
  const rows: AxeRow[] = [];
  try {
    const taken = uniqueEmail("taken");
    const setupRequest = await browser.newContext({ baseURL: options.baseUrl });
    await register(setupRequest.request, taken);
    await setupRequest.close();

    const states = PAGE_STATES.filter(
      (state) => !options.only || options.only.some((part) => state.name.includes(part)),
    );
    for (const state of states) {
      if (state.as === "admin" && !options.admin) {
        rows.push({ state: state.name, skipped: "no administrator to sign in as", cells: [] });
        continue;
      }
      const started = Date.now();
      const context = await contextFor(browser, state, options);
      const cells: AxeCell[] = [];
      try {
        const page = await context.newPage();
        let ready = false;
        for (const variant of VARIANTS) {
          try {
            await page.setViewportSize(variant.viewport);
            await page.emulateMedia({ colorScheme: variant.colorScheme });
            if (!ready || state.transient) {
              await state.setup(page, { takenEmail: taken });
              ready = true;
            }
            await settle(page);
            cells.push({ variant: variant.name, violations: await runAxe(page) });
          } catch (error) {
            cells.push({ variant: variant.name, violations: [], error: firstLines(error) });
            ready = false;
          }
        }
      } finally {
        await context.close();
      }
      const found = cells.reduce((sum, cell) => sum + cell.violations.length, 0);
      const failed = cells.filter((cell) => cell.error).length;
      console.log(
        `  ${state.name.padEnd(28)} ${found} violation(s)${failed ? `, ${failed} error(s)` : ""} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      rows.push({ state: state.name, cells });
    }
  } finally {
    await browser.close();
  }
  return rows;
}
