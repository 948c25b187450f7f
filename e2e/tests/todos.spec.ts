import type { Page } from "@playwright/test";
import { addTodo, expect, newTodoInput, signUpThroughUi, test, todoRow } from "../fixtures";

/** TODOS_PER_USER_MAX of the e2e server (playwright.config.ts). */
const CAP = 500;

/** Waits for the API answer to one to-do change made by `action`. */
async function saved(
  page: Page,
  method: "PATCH" | "DELETE",
  action: () => Promise<void>,
): Promise<void> {
  const answer = page.waitForResponse(
    (r) =>
      r.request().method() === method && /^\/api\/todos\/[^/]+$/.test(new URL(r.url()).pathname),
  );
  await action();
  expect((await answer).ok()).toBe(true);
}

test("sign up, then add, edit, complete and delete to-dos; everything survives a reload", async ({
  page,
  credentials,
}) => {
  await page.goto("/");
  await page.getByRole("link", { name: "Create a free account" }).click();
  await expect(page).toHaveURL("/sign-up");
  await signUpThroughUi(page, credentials);

  await expect(page).toHaveURL("/todos");
  await expect(page.getByText("Welcome to Tidy — your account is ready.")).toBeVisible();
  await expect(page.getByRole("heading", { name: "Nothing to do — yet" })).toBeVisible();

  // Add three.
  await addTodo(page, "Buy oat milk");
  await addTodo(page, "Book the dentist");
  await addTodo(page, "Renew passport");
  await expect(newTodoInput(page)).toHaveValue("");
  await expect(page.getByText("3 items left")).toBeVisible();

  // Edit one (the edit button opens an inline field; Enter saves).
  await page.getByRole("button", { name: "Edit “Buy oat milk”" }).click();
  const editField = page.getByRole("textbox", { name: "Edit to-do" });
  await expect(editField).toBeFocused();
  await editField.fill("Buy oat milk and coffee beans");
  await saved(page, "PATCH", () => editField.press("Enter"));
  await expect(todoRow(page, "Buy oat milk and coffee beans")).toBeVisible();
  await expect(todoRow(page, "Buy oat milk")).toHaveCount(0);

  // Complete one.
  const dentist = page.getByRole("checkbox", { name: "Mark “Book the dentist” as done" });
  await saved(page, "PATCH", () => dentist.check());
  await expect(
    page.getByRole("checkbox", { name: "Mark “Book the dentist” as not done" }),
  ).toBeChecked();
  await expect(page.getByText("2 items left")).toBeVisible();

  // Delete one: gone at once, with an Undo; closing the toast sends the delete.
  await page.getByRole("button", { name: "Delete “Renew passport”" }).click();
  const undoToast = page.getByRole("status").filter({ hasText: "Deleted “Renew passport”." });
  await expect(undoToast.getByRole("button", { name: "Undo" })).toBeVisible();
  await saved(page, "DELETE", () =>
    undoToast.getByRole("button", { name: "Dismiss notification" }).click(),
  );
  await expect(todoRow(page, "Renew passport")).toHaveCount(0);

  // Everything came from the server after a reload.
  await page.reload();
  await expect(page).toHaveURL("/todos");
  const rows = page.getByRole("list", { name: "To-dos" }).getByRole("listitem");
  await expect(rows).toHaveCount(2);
  await expect(todoRow(page, "Buy oat milk and coffee beans")).toBeVisible();
  await expect(
    page.getByRole("checkbox", { name: "Mark “Buy oat milk and coffee beans” as done" }),
  ).not.toBeChecked();
  await expect(
    page.getByRole("checkbox", { name: "Mark “Book the dentist” as not done" }),
  ).toBeChecked();
  await expect(todoRow(page, "Renew passport")).toHaveCount(0);
  await expect(page.getByText("1 item left")).toBeVisible();
});

test("a to-do added while the list is still loading stays in the list", async ({
  page,
  signedInUser: _user,
}) => {
  // Regression: the answer of GET /api/todos used to replace the list wholesale, so a to-do
  // added while that request was in flight vanished (apps/web/src/stores/todos.ts, `load()`).
  await addTodo(page, "Already there");
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Devices" })
    .click();
  await expect(page).toHaveURL("/devices");

  // Hold the list's answer (fetched before the new to-do exists) until the to-do is saved.
  let release: () => void = () => {};
  const saved = new Promise<void>((resolve) => (release = resolve));
  await page.route(
    (url) => url.pathname === "/api/todos",
    async (route) => {
      if (route.request().method() !== "GET") return route.fallback();
      const response = await route.fetch();
      await saved;
      await route.fulfill({ response });
    },
  );
  const listed = page.waitForResponse(
    (r) => r.request().method() === "GET" && new URL(r.url()).pathname === "/api/todos",
  );
  const created = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/todos",
  );

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "To-dos" })
    .click();
  await expect(page).toHaveURL("/todos");
  await newTodoInput(page).fill("Added while loading");
  await newTodoInput(page).press("Enter");
  expect((await created).status()).toBe(201);
  release();
  await listed;

  await expect(todoRow(page, "Already there")).toBeVisible();
  await expect(todoRow(page, "Added while loading")).toBeVisible({ timeout: 2_000 });
});

test("a list of hundreds loads page by page; counts, Clear completed and the cap cover all of it", async ({
  page,
  signedInUser: _user,
}) => {
  test.setTimeout(120_000);
  // Fill the account to its cap through the API, completing every 50th to-do: most of the
  // completed ones are beyond the first page.
  const request = page.context().request;
  const ids: string[] = [];
  for (let batch = 0; batch < CAP; batch += 25) {
    const created = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        request.post("/api/todos", {
          data: { title: `Item ${String(batch + i).padStart(3, "0")}` },
        }),
      ),
    );
    for (const response of created) {
      expect(response.status()).toBe(201);
      ids.push(((await response.json()) as { todo: { id: string } }).todo.id);
    }
  }
  const completed = ids.filter((_, index) => index % 50 === 0);
  for (const id of completed) {
    expect((await request.patch(`/api/todos/${id}`, { data: { completed: true } })).ok()).toBe(
      true,
    );
  }

  const pages: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (r.method() === "GET" && url.pathname === "/api/todos") pages.push(url.search);
  });
  await page.reload();
  const rows = page.getByRole("list", { name: "To-dos" }).getByRole("listitem");
  await expect(rows).toHaveCount(CAP);
  await expect(page.getByText(`${CAP - completed.length} items left`)).toBeVisible();
  expect(pages).toHaveLength(3); // 200 + 200 + 100
  expect(pages.every((search) => search.includes("limit=200"))).toBe(true);
  await expect(todoRow(page, "Item 499")).toBeVisible();

  // At the cap, a new to-do is refused and the user is told why; the title is kept.
  const refused = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/todos",
  );
  await newTodoInput(page).fill("One too many");
  await newTodoInput(page).press("Enter");
  expect((await refused).status()).toBe(409);
  await expect(
    page.getByText(`An account can keep at most ${CAP} to-dos. Delete some to add more.`),
  ).toBeVisible();
  await expect(newTodoInput(page)).toHaveValue("One too many");
  await expect(rows).toHaveCount(CAP);

  // Clear completed reaches the ones on the second and third pages too.
  await page.getByRole("button", { name: "Clear completed" }).click();
  const cleared = page.getByRole("status").filter({
    hasText: `Cleared ${completed.length} completed to-dos.`,
  });
  await expect(cleared).toBeVisible();
  await expect(rows).toHaveCount(CAP - completed.length);
  // The deletes go when the Undo toast does (here: closed at once).
  let deleted = 0;
  page.on("response", (r) => {
    if (r.request().method() === "DELETE" && r.url().includes("/api/todos/") && r.ok())
      deleted += 1;
  });
  await cleared.getByRole("button", { name: "Dismiss notification" }).click();
  await expect.poll(() => deleted).toBe(completed.length);

  // With room again, the kept title goes in.
  await addTodo(page, "One too many");
  await expect(page.getByText(`${CAP - completed.length + 1} items left`)).toBeVisible();
  await page.reload();
  await expect(rows).toHaveCount(CAP - completed.length + 1);
  await expect(page.getByRole("checkbox", { name: /as not done$/ })).toHaveCount(0);
});
