import type { Page, Request } from "@playwright/test";
import {
  addTodo,
  type Credentials,
  expect,
  newTodoInput,
  openDevice,
  PHONE_UA,
  signInViaApi,
  test,
  todoRow,
} from "../fixtures";

/** Every request to the to-do API, as "METHOD /path", in order. */
function recordTodoRequests(page: Page): string[] {
  const seen: string[] = [];
  page.on("request", (request: Request) => {
    const { pathname } = new URL(request.url());
    if (pathname.startsWith("/api/todos")) seen.push(`${request.method()} ${pathname}`);
  });
  return seen;
}

/** Ends every session of the user from a second device (its own cookies). */
async function signOutEverywhereFromAnotherDevice(
  page: Page,
  baseURL: string | undefined,
  user: Credentials,
) {
  const other = await openDevice(page.context().browser()!, baseURL, PHONE_UA);
  await signInViaApi(other.context.request, user);
  expect((await other.context.request.post("/api/auth/logout-all")).status()).toBe(204);
  await other.context.close();
}

test("signed out elsewhere: the to-do typed meanwhile is kept, the user signs in again in place, and it is saved once", async ({
  page,
  baseURL,
  signedInUser: user,
}) => {
  await addTodo(page, "Already there");
  await signOutEverywhereFromAnotherDevice(page, baseURL, user);

  // This device does not know yet: the user goes on typing.
  await newTodoInput(page).fill("Written after the sign-out");
  await newTodoInput(page).press("Enter");

  const dialog = page.getByRole("dialog", { name: "Sign in again" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("You were signed out everywhere from one of your devices.");
  await expect(dialog).toContainText("your last change will be saved");
  await expect(dialog.getByLabel("Email")).toHaveValue(user.email);
  await expect(dialog.getByLabel("Password", { exact: true })).toBeFocused();

  const created = page.waitForResponse(
    (r) =>
      r.request().method() === "POST" &&
      new URL(r.url()).pathname === "/api/todos" &&
      r.status() === 201,
  );
  await dialog.getByLabel("Password", { exact: true }).fill(user.password);
  await dialog.getByRole("button", { name: "Sign in", exact: true }).click();
  await created;
  await expect(dialog).toBeHidden();
  await expect(todoRow(page, "Written after the sign-out")).toHaveCount(1);
  await expect(todoRow(page, "Written after the sign-out")).not.toHaveClass(/pending/);

  // Once on the server, not twice.
  await page.reload();
  await expect(todoRow(page, "Already there")).toBeVisible();
  await expect(todoRow(page, "Written after the sign-out")).toHaveCount(1);
});

test("signed out elsewhere, then a reload on the way: the kept change is saved after signing in on the sign-in page", async ({
  page,
  baseURL,
  signedInUser: user,
}) => {
  await addTodo(page, "Already there");
  await signOutEverywhereFromAnotherDevice(page, baseURL, user);
  await page.getByRole("checkbox", { name: "Mark “Already there” as done" }).check();
  await expect(page.getByRole("dialog", { name: "Sign in again" })).toBeVisible();

  await page.reload();
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(page.getByRole("status").filter({ hasText: "signed out everywhere" })).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page).toHaveURL("/todos");
  await expect(page.getByText("Your last change is saved.")).toBeVisible();
  await expect(
    page.getByRole("checkbox", { name: "Mark “Already there” as not done" }),
  ).toBeChecked();
  await page.reload();
  await expect(
    page.getByRole("checkbox", { name: "Mark “Already there” as not done" }),
  ).toBeChecked();
});

test("delete, then Undo: the to-do is back, focused, and the server never deleted it", async ({
  page,
  signedInUser: _user,
}) => {
  await addTodo(page, "Keep me");
  await addTodo(page, "Next one");
  const requests = recordTodoRequests(page);

  await page.getByRole("button", { name: "Delete “Keep me”" }).click();
  await expect(todoRow(page, "Keep me")).toHaveCount(0);
  // Focus moved to a neighbour, not to the top of the page.
  await expect(page.getByRole("button", { name: "Delete “Next one”" })).toBeFocused();

  const toast = page.getByRole("status").filter({ hasText: "Deleted “Keep me”." });
  await toast.getByRole("button", { name: "Undo" }).click();
  await expect(todoRow(page, "Keep me")).toBeVisible();
  await expect(page.getByRole("checkbox", { name: "Mark “Keep me” as done" })).toBeFocused();

  await page.reload();
  await expect(todoRow(page, "Keep me")).toBeVisible();
  expect(requests.filter((r) => r.startsWith("DELETE"))).toEqual([]);
});

test("offline: a banner says so, the new to-do waits, and it is sent once the connection is back", async ({
  page,
  context,
  signedInUser: _user,
}) => {
  await addTodo(page, "Before going offline");
  const requests = recordTodoRequests(page);
  await context.setOffline(true);

  await newTodoInput(page).fill("Added offline");
  await newTodoInput(page).press("Enter");
  await expect(page.getByText("You're offline, or the server can't be reached.")).toBeVisible();
  await expect(page.getByText("Your last change is kept")).toBeVisible();
  await expect(todoRow(page, "Added offline")).toHaveClass(/pending/);

  // Navigation says what failed instead of doing nothing.
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Devices" })
    .click();
  await expect(page.getByText(/Couldn't open Your devices/)).toBeVisible();

  const created = page.waitForResponse(
    (r) =>
      r.request().method() === "POST" &&
      new URL(r.url()).pathname === "/api/todos" &&
      r.status() === 201,
  );
  await context.setOffline(false);
  await created;
  await expect(page.getByText("You're offline, or the server can't be reached.")).toBeHidden();
  await expect(page).toHaveURL("/devices"); // the page that failed opens once back

  await page.goto("/todos");
  await expect(todoRow(page, "Added offline")).toHaveCount(1);
  expect(requests.filter((r) => r === "POST /api/todos").length).toBeGreaterThanOrEqual(1);
});
