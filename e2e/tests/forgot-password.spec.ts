import { NEW_PASSWORD } from "../constants";
import { expect, expectSignInPage, PHONE_UA, signInThroughUi, test } from "../fixtures";
import { linkTo, waitForMail } from "../mail";

test("forgot password: the mail reaches the SMTP server, its link sets a new password, and the other device is signed out", async ({
  browser,
  page,
  signedInUser,
}) => {
  test.slow(); // two browsers, a real mail round trip, argon2 twice
  const { email } = signedInUser;
  // The laptop is signed in (the fixture); the phone forgot the password.
  const phoneContext = await browser.newContext({ userAgent: PHONE_UA });
  const phone = await phoneContext.newPage();
  try {
    await phone.goto("/sign-in");
    await phone.getByLabel("Email").fill(email);
    await phone.getByRole("link", { name: "Forgot password?" }).click();
    await expect(phone.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    // The email typed on the sign-in page came along.
    await expect(phone.getByLabel("Email")).toHaveValue(email);
    await phone.getByRole("button", { name: "Send reset link" }).click();
    await expect(phone.getByText("Check your inbox")).toBeVisible();

    const mail = await waitForMail(email, /^Reset your Tidy password$/);
    expect(mail.html).toContain("Choose a new password");
    const link = linkTo(mail, "/reset-password?token=");
    expect(new URL(link).origin).toBe(new URL(phone.url()).origin);

    await phone.goto(link);
    await expect(phone.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
    // The token left the address bar at once.
    await expect(phone).toHaveURL((url) => url.pathname === "/reset-password" && url.search === "");
    await phone.getByLabel("New password").fill(NEW_PASSWORD);
    await phone.getByRole("button", { name: "Save new password" }).click();
    // An argon2 hash and the revocation of every session: slower than a page change.
    await expect(phone.getByRole("heading", { name: "Welcome back" })).toBeVisible({
      timeout: 15_000,
    });
    await signInThroughUi(phone, email, NEW_PASSWORD);
    await expect(phone).toHaveURL("/todos");

    // The laptop's session ended with the reset: its next request sends it to sign in.
    await page.reload();
    await expectSignInPage(page, "/todos");
    await signInThroughUi(page, email, signedInUser.password);
    await expect(page.getByRole("alert")).toContainText(/invalid email or password/i);

    // The link works once, in any browser.
    const replay = await browser.newPage();
    try {
      // The page checks the link first: it says so before anyone types a password.
      await replay.goto(link);
      await expect(replay.getByRole("heading", { name: "This link has expired" })).toBeVisible();
      await expect(replay.getByRole("link", { name: "Send me a new link" })).toBeVisible();
      await expect(replay.getByLabel("New password")).toHaveCount(0);
    } finally {
      await replay.close();
    }
  } finally {
    await phoneContext.close();
  }
});
