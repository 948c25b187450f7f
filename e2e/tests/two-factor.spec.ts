import type { Page } from "@playwright/test";
import { generate } from "otplib";
import {
  expect,
  expectThisDeviceSignedInWith,
  headerSignOut,
  signInThroughUi,
  signOutThroughUi,
  test,
} from "../fixtures";

/** TOTP time steps are 30 s; the server accepts the step before and after the current one. */
const STEP_SECONDS = 30;
const currentStep = () => Math.floor(Date.now() / 1000 / STEP_SECONDS);

/**
 * The code of time step `step`. The server accepts each step once per user (replay refusal), so
 * the journey counts its steps up instead of waiting half a minute for the clock: the next step
 * is within the server's ±1 window.
 */
function codeFor(secret: string, step: number): Promise<string> {
  return generate({ secret, epoch: step * STEP_SECONDS });
}

function twoFactorCard(page: Page) {
  return page.getByRole("region", { name: "Two-factor authentication" });
}

/** Password step of a user with TOTP: no session yet, the second step asks for a code. */
async function passwordStep(page: Page, email: string, password: string) {
  await signInThroughUi(page, email, password);
  await expect(
    page.getByRole("heading", { name: "Two-step verification", level: 1 }),
  ).toBeVisible();
  await expect(headerSignOut(page)).toBeHidden();
}

test("two-factor: turn on an authenticator app, then sign in with a code, and once with a recovery code", async ({
  page,
  signedInUser,
}) => {
  test.slow(); // several sign-ins and page loads on a shared machine
  await page.goto("/account");
  const card = twoFactorCard(page);
  await expect(card.getByText("Off", { exact: true })).toBeVisible();

  // Set up: the QR code, and the key for typing by hand (read here like an app would).
  await card.getByRole("button", { name: "Set up authenticator app" }).click();
  await expect(card.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const shownKey = (await card.getByLabel("Setup key").textContent()) ?? "";
  expect(shownKey).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/);
  const secret = shownKey.replace(/\s+/g, "");

  let step = currentStep();
  await card.getByLabel("6-digit code from the app").fill(await codeFor(secret, step));
  await card.getByRole("button", { name: "Turn on" }).click();

  // The 10 recovery codes, shown once.
  const codeList = card.getByRole("list", { name: "Recovery codes" });
  await expect(codeList.getByRole("listitem")).toHaveCount(10);
  const recoveryCodes = (await codeList.getByRole("listitem").allTextContents()).map((c) =>
    c.trim(),
  );
  expect(new Set(recoveryCodes).size).toBe(10);
  await expect(card.getByRole("button", { name: "Download .txt" })).toBeVisible();
  await card.getByRole("button", { name: "I saved them" }).click();
  await expect(codeList).toBeHidden();
  await expect(card.getByText("On", { exact: true })).toBeVisible();
  await expect(card.getByText("10 unused recovery codes.")).toBeVisible();

  // Signed out, the password alone is not enough any more: the second step asks for a code.
  await signOutThroughUi(page);
  await passwordStep(page, signedInUser.email, signedInUser.password);
  const codeField = page.getByLabel("6-digit code");
  await expect(codeField).toBeFocused();
  step = Math.max(step + 1, currentStep());
  await codeField.fill(await codeFor(secret, step));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL("/todos");
  await expect(headerSignOut(page)).toBeVisible();

  // The devices page says how this session signed in.
  await expectThisDeviceSignedInWith(page, "Password + authenticator app");

  // A recovery code signs in instead of the app…
  await signOutThroughUi(page);
  await passwordStep(page, signedInUser.email, signedInUser.password);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  await page.getByLabel("Recovery code").fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL("/todos");
  await expect(headerSignOut(page)).toBeVisible();

  // …once: the same code is refused the next time, and a fresh one works.
  await signOutThroughUi(page);
  await passwordStep(page, signedInUser.email, signedInUser.password);
  await page.getByRole("button", { name: "Use a recovery code" }).click();
  const recoveryField = page.getByLabel("Recovery code");
  await recoveryField.fill(recoveryCodes[0]!);
  await page.getByRole("button", { name: "Verify" }).click();
  // Said on the field (its description) and announced.
  await expect(recoveryField).toHaveAccessibleDescription(
    "That recovery code is not valid, or it was already used.",
  );
  await expect(recoveryField).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/sign-in/);
  await expect(headerSignOut(page)).toBeHidden();

  await recoveryField.fill(recoveryCodes[1]!);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL("/todos");

  // Two codes used: 8 left.
  await page.goto("/account");
  await expect(twoFactorCard(page).getByText("8 unused recovery codes.")).toBeVisible();
});
