import { expect, expectSignInPage, headerSignOut, signInThroughUi, test } from "../fixtures";

test("after signing out, protected pages send you to sign in and back where you were", async ({
  page,
  signedInUser,
}) => {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Devices" })
    .click();
  await expect(page).toHaveURL("/devices");
  await expect(page.getByRole("heading", { name: "Your devices", level: 1 })).toBeVisible();

  await headerSignOut(page).click();
  await expectSignInPage(page, null);
  await expect(page.getByText("You're signed out.")).toBeVisible();
  await expect(headerSignOut(page)).toBeHidden();

  // Every protected page now redirects to sign-in, remembering where it was going.
  for (const path of ["/todos", "/devices", "/account?tab=password"]) {
    await page.goto(path);
    await expectSignInPage(page, path);
  }

  // Going back to the devices page and signing in from there lands on it again.
  await page.goto("/devices");
  await expectSignInPage(page, "/devices");
  await signInThroughUi(page, signedInUser.email, signedInUser.password);
  await expect(page).toHaveURL("/devices");
  await expect(page.getByRole("heading", { name: "Your devices", level: 1 })).toBeVisible();
  await expect(page.getByText("This device", { exact: true })).toBeVisible();
  await expect(headerSignOut(page)).toBeVisible();
});
