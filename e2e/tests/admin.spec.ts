import type { Page } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../constants";
import {
  expect,
  expectSessionEndedThenSignInPage,
  LAPTOP_UA,
  newTodoInput,
  openDevice,
  signInThroughUi,
  test,
} from "../fixtures";

/**
 * The admin area (issue 14). The e2e server starts with one administrator (ADMIN_EMAIL,
 * made by the seed script before the server starts); every other account is a plain user.
 */

function mainNav(page: Page) {
  return page.getByRole("navigation", { name: "Main" });
}

/** Resolves with the next answer to `GET /api/auth/permissions`. */
function permissionsAnswer(page: Page) {
  return page.waitForResponse(
    (r) => r.request().method() === "GET" && new URL(r.url()).pathname === "/api/auth/permissions",
  );
}

test("an administrator finds a user and signs them out everywhere; the user's next action lands on sign-in", async ({
  page,
  browser,
  baseURL,
  signedInUser,
}) => {
  // Two browser contexts and two password hashings (sign-up, the administrator's sign-in):
  // 19–24 s on a busy two-core machine, too close to the default 30 s.
  test.slow();
  // The user (the test's own `page`) is signed in and stays on the to-dos page.
  await expect(newTodoInput(page)).toBeVisible();

  const adminDevice = await openDevice(browser, baseURL, LAPTOP_UA);
  try {
    const admin = adminDevice.page;
    await admin.goto("/sign-in");
    await signInThroughUi(admin, ADMIN_EMAIL, ADMIN_PASSWORD);
    await expect(admin).toHaveURL("/todos");

    await mainNav(admin).getByRole("link", { name: "Admin" }).click();
    await expect(admin).toHaveURL("/admin");
    await expect(admin.getByRole("heading", { name: "Users", level: 1 })).toBeVisible();

    // The search waits for a pause in typing, then lands in the URL and the table.
    const searched = admin.waitForResponse(
      (r) =>
        new URL(r.url()).pathname === "/api/admin/users" &&
        new URL(r.url()).searchParams.get("query") === signedInUser.email,
    );
    await admin.getByRole("searchbox", { name: "Search users" }).fill(signedInUser.email);
    expect((await searched).status()).toBe(200);
    await expect(admin).toHaveURL(
      (url) => url.pathname === "/admin" && url.searchParams.get("q") === signedInUser.email,
    );
    const rows = admin.getByRole("table").locator("tbody").getByRole("row");
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toContainText(signedInUser.name);

    await rows.first().getByRole("link", { name: signedInUser.email, exact: true }).click();
    await expect(admin).toHaveURL(/\/admin\/users\/[^/]+$/);
    await expect(admin.getByRole("heading", { name: signedInUser.email, level: 1 })).toBeVisible();
    // The way back keeps the search.
    await expect(admin.getByRole("link", { name: "All users" })).toHaveAttribute(
      "href",
      /^\/admin\?q=./,
    );
    const sessions = admin.getByRole("list", { name: "Live sessions" }).getByRole("listitem");
    await expect(sessions).toHaveCount(1);

    await admin.getByRole("button", { name: "Sign out everywhere" }).click();
    const dialog = admin.getByRole("dialog", { name: "Sign out everywhere?" });
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText(signedInUser.email);
    const revoked = admin.waitForResponse(
      (r) =>
        r.request().method() === "POST" &&
        /^\/api\/admin\/users\/[^/]+\/sessions\/revoke$/.test(new URL(r.url()).pathname),
    );
    await dialog.getByRole("button", { name: "Sign out everywhere" }).click();
    expect((await revoked).status()).toBe(200);
    await expect(dialog).toBeHidden();
    await expect(admin.getByText(`Signed ${signedInUser.email} out on 1 device.`)).toBeVisible();
    await expect(admin.getByText("Not signed in anywhere.")).toBeVisible();

    // The user's very next action is refused; the app says why and offers to sign in again.
    const added = page.waitForResponse(
      (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/todos",
    );
    await newTodoInput(page).fill("Written after the administrator's sign-out");
    await newTodoInput(page).press("Enter");
    expect((await added).status()).toBe(401);
    await expectSessionEndedThenSignInPage(page, "An administrator signed you out.", "/todos");

    // Their activity tells the administrator what happened, and who did it.
    await admin.reload();
    const activity = admin.getByRole("list", { name: "Recent activity" });
    await expect(
      activity
        .getByRole("listitem")
        .filter({ hasText: "Signed out everywhere by an administrator" }),
    ).toContainText(`by ${ADMIN_EMAIL}`);
  } finally {
    await adminDevice.context.close();
  }
});

test("a user without admin permissions sees no Admin link, and /admin is not found", async ({
  page,
  signedInUser: _user,
}) => {
  const adminChunks: string[] = [];
  page.on("request", (request) => {
    const path = new URL(request.url()).pathname;
    if (/\/assets\/Admin[^/]*\.js$/.test(path) || path.startsWith("/api/admin")) {
      adminChunks.push(path);
    }
  });

  // Once the page knows the viewer's permissions, the nav is final.
  const answered = permissionsAnswer(page);
  await page.reload();
  const permissions = (await (await answered).json()) as { permissions: string[] };
  expect(permissions.permissions).not.toContain("users:read");
  await expect(mainNav(page).getByRole("link", { name: "Account" })).toBeVisible();
  await expect(mainNav(page).getByRole("link", { name: "Admin" })).toHaveCount(0);

  for (const path of ["/admin", "/admin/users/someone"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { name: "Page not found", level: 1 })).toBeVisible();
    await expect(page).toHaveURL(path);
  }
  // Neither the admin pages' code nor the admin API was ever asked for.
  expect(adminChunks).toEqual([]);
});
