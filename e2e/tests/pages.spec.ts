import type { Page } from "@playwright/test";
import { expect, registerViaApi, test } from "../fixtures";

/** Paths that are no page of the app: the server answers 404 with the app's not-found page. */
const NOT_FOUND_PAGES = new Set(["/no-such-page/at-all", "/nothing/here"]);

/**
 * Records every console error, uncaught exception, failed request and HTTP error answer.
 * The only expected ones: the pages in NOT_FOUND_PAGES answer 404, and Chromium logs "Failed
 * to load resource: …" for each. (A signed-out page's "am I signed in?" probe answers 200
 * `{session: null}`: no 401, no console error.)
 */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  const isNotFoundPage = (url: string) => NOT_FOUND_PAGES.has(new URL(url).pathname);

  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    if (/status of 404/.test(message.text()) && source && isNotFoundPage(source)) return;
    problems.push(`console error on ${page.url()}: ${message.text()} (${source})`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText ?? "";
    // A download the browser dropped because the test moved on to the next page (a lazy chunk
    // still on its way) is no failure of the app.
    if (reason === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.method()} ${request.url()} — ${reason}`);
  });
  page.on("response", (response) => {
    if (response.status() < 400) return;
    const request = response.request();
    const document = request.resourceType() === "document";
    if (response.status() === 404 && document && isNotFoundPage(response.url())) return;
    problems.push(`${response.status()} for ${request.method()} ${response.url()}`);
  });
  return problems;
}

test("every page loads without console errors or failed requests", async ({
  page,
  credentials,
}) => {
  const problems = watchForProblems(page);

  // Signed out.
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("signed out");
  await expect(page.getByRole("link", { name: "Create a free account" })).toBeVisible();

  await page.goto("/sign-in");
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();

  await page.goto("/sign-up");
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  // Typing a password asks the server for its verdict (POST /api/auth/password/check).
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await expect(page.getByText("Strong.")).toBeVisible({ timeout: 15_000 });

  expect((await page.goto("/no-such-page/at-all"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to the home page" })).toBeVisible();

  // Signed in.
  await registerViaApi(page.context().request, credentials);

  await page.goto("/todos");
  await expect(page.getByRole("heading", { name: "To-dos", level: 1 })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Nothing to do — yet" })).toBeVisible();

  await page.goto("/devices");
  await expect(page.getByRole("heading", { name: "Your devices", level: 1 })).toBeVisible();
  await expect(page.getByText("This device", { exact: true })).toBeVisible();

  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
  await expect(page.locator("dl").getByText(credentials.email)).toBeVisible();

  expect((await page.goto("/nothing/here"))?.status()).toBe(404);
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to your to-dos" })).toBeVisible();

  // Let the last page's requests finish before judging.
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
});
