import type { Page } from "@playwright/test";
import { expect, registerViaApi, test } from "../fixtures";

/**
 * Records every console error, uncaught exception, failed request and HTTP error answer.
 * The only expected one: a signed-out load asks GET /api/auth/session ("am I signed in?"),
 * which answers 401 — and Chromium logs "Failed to load resource: … 401" for it.
 */
function watchForProblems(page: Page): string[] {
  const problems: string[] = [];
  const isSessionProbe = (method: string, url: string) =>
    method === "GET" && new URL(url).pathname === "/api/auth/session";

  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    if (
      /^Failed to load resource: the server responded with a status of 401/.test(message.text()) &&
      source &&
      isSessionProbe("GET", source)
    ) {
      return;
    }
    problems.push(`console error on ${page.url()}: ${message.text()} (${source})`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught on ${page.url()}: ${error.message}`));
  page.on("requestfailed", (request) =>
    problems.push(
      `request failed: ${request.method()} ${request.url()} — ${request.failure()?.errorText}`,
    ),
  );
  page.on("response", (response) => {
    if (response.status() < 400) return;
    const request = response.request();
    if (response.status() === 401 && isSessionProbe(request.method(), response.url())) return;
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
  // Typing a password loads the strength checker (a lazily loaded chunk).
  await page.getByLabel("Password", { exact: true }).fill(credentials.password);
  await expect(page.getByText("Strong.")).toBeVisible({ timeout: 15_000 });

  await page.goto("/no-such-page/at-all");
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

  await page.goto("/nothing/here");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Go to your to-dos" })).toBeVisible();

  // Let the last page's requests finish before judging.
  await page.waitForLoadState("networkidle");
  expect(problems).toEqual([]);
});
