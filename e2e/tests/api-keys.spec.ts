import type { APIRequestContext, Page } from "@playwright/test";
import { expect, signUpThroughUi, test } from "../fixtures";

/**
 * A key for a script: created on the API-keys page, its secret shown once, used from outside
 * the browser (no cookies, `Authorization: Bearer`) with exactly its scopes, then revoked.
 */

function keyList(page: Page) {
  return page.getByRole("list", { name: "Your keys" }).getByRole("listitem");
}

/** `GET`/`POST /api/todos` as a script would: the key alone, no cookies. */
async function asScript(
  request: APIRequestContext,
  method: "GET" | "POST",
  secret: string,
): Promise<number> {
  const response = await request.fetch("/api/todos", {
    method,
    headers: { Authorization: `Bearer ${secret}` },
    ...(method === "POST" ? { data: { title: "Written by a read-only key" } } : {}),
  });
  return response.status();
}

test("an API key: created with todos:read, its secret shown once, it reads but cannot write, and stops at once when revoked", async ({
  page,
  request,
  credentials,
}) => {
  await page.goto("/sign-up");
  await signUpThroughUi(page, credentials);
  await expect(page).toHaveURL("/todos");

  // Found from the account page.
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Account" })
    .click();
  await page.getByRole("link", { name: "Manage API keys" }).click();
  await expect(page).toHaveURL("/api-keys");
  await expect(page.getByRole("heading", { level: 1, name: "API keys" })).toBeVisible();
  await expect(page.getByText("No API keys yet.")).toBeVisible();
  await expect(page.getByText(/^0 of \d+ keys$/)).toBeVisible();

  // The scopes come from the server, each with its description.
  const scopes = page.getByRole("group", { name: "What the key may do" });
  for (const scope of ["todos:read", "todos:write", "introspect"]) {
    await expect(scopes.getByRole("checkbox", { name: scope })).toBeVisible();
  }

  // Nothing ticked: refused before anything is sent.
  await page.getByLabel("Name", { exact: true }).fill("Backup script");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByText("Choose at least one thing the key may do.")).toBeVisible();

  await scopes.getByRole("checkbox", { name: "todos:read" }).check();
  await page.getByLabel("Expires").selectOption("30");
  const created = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/auth/api-keys",
  );
  await page.getByRole("button", { name: "Create key" }).click();
  // A fresh sign-up is a recent sign-in: no "Confirm it's you" here.
  expect((await created).status()).toBe(201);

  // The secret, once: read-only, with the warning and a curl command that uses it.
  const secretField = page.getByLabel("Your new API key");
  await expect(secretField).toBeVisible();
  await expect(secretField).not.toBeEditable();
  const secret = await secretField.inputValue();
  expect(secret).toMatch(/^[a-z]+_[A-Za-z0-9]{20,}$/);
  await expect(page.getByText("Copy the key now: you will not see it again.")).toBeVisible();
  await expect(page.locator("pre.curl")).toHaveText(
    `curl -H "Authorization: Bearer ${secret}" ${new URL(page.url()).origin}/api/todos`,
  );
  const row = keyList(page).filter({ hasText: "Backup script" });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("todos:read");
  await expect(row).toContainText("Never used");
  // The list shows only the secret's first characters.
  const prefix = (await row.locator(".prefix").innerText()).replace(/…$/, "");
  expect(prefix.length).toBeGreaterThan(3);
  expect(prefix.length).toBeLessThan(secret.length / 2);
  expect(secret.startsWith(prefix)).toBe(true);

  // The key works from a script, with exactly its scope.
  expect(await asScript(request, "GET", secret)).toBe(200);
  expect(await asScript(request, "POST", secret)).toBe(403);

  // Done: the secret is gone, and no reload brings it back.
  await page.getByRole("button", { name: /I saved it/ }).click();
  await expect(secretField).toHaveCount(0);
  expect(await page.content()).not.toContain(secret);
  await page.reload();
  await expect(keyList(page)).toHaveCount(1);
  expect(await page.content()).not.toContain(secret);

  // Revoke, once confirmed; focus does not fall to the top of the page.
  await row.getByRole("button", { name: "Revoke Backup script" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke “Backup script”?" });
  await expect(confirm).toBeVisible();
  await confirm.getByRole("button", { name: "Revoke key" }).click();
  await expect(
    page.getByRole("region", { name: "Notifications" }).getByText("Revoked “Backup script”."),
  ).toBeVisible();
  await expect(page.getByText("No API keys yet.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Your keys" })).toBeFocused();

  // The very next request with it is refused.
  expect(await asScript(request, "GET", secret)).toBe(401);
});
