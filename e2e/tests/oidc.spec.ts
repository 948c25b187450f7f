import type { Page } from "@playwright/test";
import {
  expect,
  expectThisDeviceSignedInWith,
  registerViaApi,
  signInThroughUi,
  signOutThroughUi,
  test,
  uniqueCredentials,
} from "../fixtures";

/**
 * Sign-in with an OpenID provider (issue 17) in Chromium, through the local provider's own
 * login and consent pages (oidc-provider, started by the e2e config as "Local ID").
 */

/**
 * At the provider: its login page, then consent. A provider that remembers this browser (its
 * own session, the consent given) sends it straight back: nothing to fill in then.
 */
async function atProvider(page: Page, login: string): Promise<void> {
  await page.waitForURL(
    (url) =>
      url.pathname.startsWith("/interaction/") ||
      (url.host.startsWith("localhost:") &&
        (url.pathname === "/todos" || url.search.includes("oidc"))),
  );
  if (!page.url().includes("/interaction/")) return;
  const loginField = page.locator('input[name="login"]');
  if (await loginField.isVisible()) {
    await loginField.fill(login);
    await page.locator('input[name="password"]').fill("any password at the provider");
    await page.getByRole("button", { name: "Sign-in" }).click();
  }
  const consent = page.getByRole("button", { name: "Continue" });
  await consent.waitFor({ state: "visible", timeout: 5_000 }).catch(() => undefined);
  if (await consent.isVisible()) await consent.click();
}

test("sign up with the provider, sign out, sign in again, see it on the devices page", async ({
  page,
}, testInfo) => {
  const email = uniqueCredentials(testInfo, "oidc").email;

  await page.goto("/sign-up");
  await page.getByRole("button", { name: "Continue with Local ID" }).click();
  await atProvider(page, email);
  await expect(page).toHaveURL(/\/todos$/);
  await expect(page.getByRole("heading", { name: "To-dos", level: 1 })).toBeVisible();

  // The account page shows the connected provider, and that there is no password yet.
  await page.goto("/account");
  const card = page.getByRole("region", { name: "Sign-in methods" });
  await expect(card.getByRole("listitem").filter({ hasText: "Local ID" })).toContainText(
    `Connected as ${email}`,
  );
  await expect(card).toContainText("Your account has no password");

  await signOutThroughUi(page);
  await page.getByRole("button", { name: "Continue with Local ID" }).click();
  await atProvider(page, email);
  await expect(page).toHaveURL(/\/todos$/);
  await expectThisDeviceSignedInWith(page, "Local ID");
});

test("an existing account's email is held until its owner signs in and confirms", async ({
  page,
  request,
}, testInfo) => {
  const owner = uniqueCredentials(testInfo, "owner");
  await registerViaApi(request, owner);

  await page.goto("/sign-in");
  await page.getByRole("button", { name: "Continue with Local ID" }).click();
  await atProvider(page, owner.email);
  // Not signed in: the sign-in page asks to sign in to the account first.
  await expect(page).toHaveURL(/\/sign-in\?oidc_link=local/);
  await expect(page.getByText(`An account already uses ${owner.email}`)).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue(owner.email);

  await signInThroughUi(page, owner.email, owner.password);
  await expect(page).toHaveURL(/\/account/);
  const card = page.getByRole("region", { name: "Sign-in methods" });
  await card.getByRole("button", { name: "Connect Local ID" }).click();
  await expect(card.getByRole("listitem").filter({ hasText: "Local ID" })).toContainText(
    `Connected as ${owner.email}`,
  );
});
