import type { Locator, Page } from "@playwright/test";
import { expect, headerSignOut, newTodoInput, signInThroughUi, test, todoRow } from "../fixtures";

test("a wrong password shows a clear error and the form stays usable", async ({
  page,
  registeredUser,
}) => {
  await page.goto("/sign-in");
  await signInThroughUi(page, registeredUser.email, "wrong-password-entirely-41");

  const error = page.getByRole("alert");
  await expect(error).toHaveText("Invalid email or password.");
  await expect(page).toHaveURL("/sign-in");
  // The email is kept, the password cleared and focused for another try.
  const email = page.getByLabel("Email");
  const password = page.getByLabel("Password", { exact: true });
  await expect(email).toHaveValue(registeredUser.email);
  await expect(password).toHaveValue("");
  await expect(password).toBeFocused();
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeEnabled();

  await password.fill(registeredUser.password);
  await password.press("Enter");
  await expect(page).toHaveURL("/todos");
  await expect(headerSignOut(page)).toBeVisible();
  await expect(error).toBeHidden();
});

test("repeated wrong passwords show the throttling message with its wait time", async ({
  page,
  registeredUser,
}) => {
  await page.goto("/sign-in");
  const password = page.getByLabel("Password", { exact: true });
  const error = page.getByRole("alert");
  // Five failures per account and client start a cool-down (the sixth attempt is refused).
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    await signInThroughUi(page, registeredUser.email, `wrong-password-${attempt}-xq`);
    await expect(error).toHaveText("Invalid email or password.");
  }
  await password.fill(registeredUser.password);
  await password.press("Enter");
  await expect(error).toHaveText(/Too many attempts — try again in (\d+) s/);
  const seconds = Number(/in (\d+) s/.exec((await error.textContent()) ?? "")?.[1]);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
  // Even the right password waits: the form says so instead of signing in.
  await expect(page).toHaveURL("/sign-in");
  await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
});

/** Presses Tab until `target` has the keyboard focus (it may already have it). */
async function tabTo(page: Page, target: Locator, maxPresses = 25): Promise<void> {
  for (let presses = 0; presses <= maxPresses; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error(`${target.toString()} never got the focus after ${maxPresses} Tab presses`);
}

test("keyboard only: sign in and add a to-do without the mouse", async ({
  page,
  registeredUser,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();

  await tabTo(page, page.getByRole("banner").getByRole("link", { name: "Sign in" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL("/sign-in");

  await tabTo(page, page.getByLabel("Email"));
  await page.keyboard.type(registeredUser.email);
  await tabTo(page, page.getByLabel("Password", { exact: true }));
  await page.keyboard.type(registeredUser.password);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL("/todos");
  await expect(page.getByRole("heading", { name: "Nothing to do — yet" })).toBeVisible();

  await tabTo(page, newTodoInput(page));
  await page.keyboard.type("Typed without a mouse");
  await page.keyboard.press("Enter");
  await expect(todoRow(page, "Typed without a mouse")).toBeVisible();
  await expect(todoRow(page, "Typed without a mouse")).not.toHaveClass(/pending/);
  await expect(newTodoInput(page)).toBeFocused();
  await expect(newTodoInput(page)).toHaveValue("");
});
