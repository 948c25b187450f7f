import type { Page } from "@playwright/test";
import {
  expect,
  expectThisDeviceSignedInWith,
  headerSignOut,
  signOutThroughUi,
  test,
} from "../fixtures";

/**
 * Chromium's virtual authenticator (Chrome DevTools Protocol): a platform authenticator with
 * resident keys and user verification that answers every prompt by itself, as a person touching
 * the fingerprint reader would.
 */
async function addVirtualAuthenticator(page: Page): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: "internal",
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
}

function passkeysCard(page: Page) {
  return page.getByRole("region", { name: "Passkeys" });
}

test("passkeys: add one from the account page, sign out, sign in with it alone (no email typed)", async ({
  page,
  signedInUser,
}) => {
  test.slow(); // WebAuthn ceremonies and several page loads on a shared machine
  await addVirtualAuthenticator(page);

  await page.goto("/account");
  const card = passkeysCard(page);
  await expect(card.getByText("No passkeys yet.")).toBeVisible();
  await card.getByLabel("Name for a new passkey").fill("E2E laptop");
  await card.getByRole("button", { name: "Add a passkey" }).click();

  const passkeys = card.getByRole("list", { name: "Your passkeys" });
  const row = passkeys.getByRole("listitem").filter({ hasText: "E2E laptop" });
  await expect(row).toBeVisible();
  await expect(row).toContainText("Never used");
  // A virtual platform authenticator's key is not backed up: bound to this device.
  await expect(row).toContainText("This device only");
  await expect(card.getByLabel("Name for a new passkey")).toHaveValue("");

  await signOutThroughUi(page);

  // The authenticator says who: nothing typed.
  await expect(page.getByLabel("Email")).toHaveValue("");
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL("/todos");
  await expect(headerSignOut(page)).toBeVisible();

  // The devices page says how this session signed in; the passkey was used just now.
  await expectThisDeviceSignedInWith(page, "Passkey");
  // Signed in as the right account.
  await page.goto("/account");
  await expect(page.locator(".email").getByText(signedInUser.email, { exact: true })).toBeVisible();
  await expect(
    passkeysCard(page).getByRole("listitem").filter({ hasText: "E2E laptop" }),
  ).toContainText("Last used");
});
