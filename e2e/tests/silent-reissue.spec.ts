import { ACCESS_TTL_SECONDS } from "../constants";
import {
  accessTokenClaims,
  addTodo,
  authCookies,
  expect,
  headerSignOut,
  test,
  type AuthCookies,
} from "../fixtures";

test("the access token is silently reissued while the app is in use", async ({
  page,
  context,
  signedInUser: _user,
}, testInfo) => {
  // ~10 s of use, one action every ~2 s: several 3-second access-token lifetimes go by.
  test.slow();
  const navigation = page.getByRole("navigation", { name: "Main" });
  const start = await authCookies(context);
  expect(start.access, "access cookie after sign-up").toBeDefined();
  expect(start.session, "session cookie after sign-up").toBeDefined();
  const { sub, sid } = accessTokenClaims(start.access!.value);
  const seen: AuthCookies[] = [start];

  const steps = 5;
  for (let step = 1; step <= steps; step += 1) {
    // The scenario is about time passing: wait, then use the app again.
    await page.waitForTimeout(2_000);
    if (step % 2 === 0) {
      // Move between pages (the devices page loads GET /api/auth/sessions).
      await navigation.getByRole("link", { name: "Devices" }).click();
      await expect(page).toHaveURL("/devices");
      await expect(page.getByText("This device", { exact: true })).toBeVisible();
      await navigation.getByRole("link", { name: "To-dos" }).click();
      await expect(page).toHaveURL("/todos");
      // Wait for the list to load before adding: see the test.fail() in todos.spec.ts.
      await expect(page.getByRole("list", { name: "To-dos" })).toBeVisible();
    }
    await addTodo(page, `Step ${step}`);

    // No visible sign-out at any point.
    await expect(page).toHaveURL("/todos");
    await expect(headerSignOut(page)).toBeVisible();

    const now = await authCookies(context);
    expect(now.access, `access cookie at step ${step}`).toBeDefined();
    expect(now.session, `session cookie at step ${step}`).toBeDefined();
    // Always the same user and the same session (no new sign-in behind the scenes).
    expect(accessTokenClaims(now.access!.value)).toMatchObject({ sub, sid });
    seen.push(now);
  }

  // Every to-do made it, in order, and survives a reload.
  await page.reload();
  await expect(page.getByRole("list", { name: "To-dos" }).getByRole("listitem")).toHaveText(
    Array.from({ length: steps }, (_, i) => new RegExp(`Step ${i + 1}`)),
  );

  // ~10 s over 3-second lifetimes: the access token was replaced several times (each step is
  // ≥ 2 s after the previous one, so every two steps span more than one lifetime).
  const end = await authCookies(context);
  const accessTokens = new Set(seen.map((cookies) => cookies.access!.value));
  expect(end.access!.value).not.toBe(start.access!.value);
  expect(accessTokens.size).toBeGreaterThanOrEqual(Math.floor((2 * steps) / ACCESS_TTL_SECONDS));

  // The session cookie carries on the same session. Its value is the same unless the server
  // rotates session tokens (at most once per access-token lifetime); record which it was.
  const sessionTokens = new Set(seen.map((cookies) => cookies.session!.value));
  testInfo.annotations.push({
    type: "session cookie",
    description:
      sessionTokens.size === 1
        ? "unchanged for the whole test"
        : `rotated: ${sessionTokens.size} distinct values over ${accessTokens.size} access tokens`,
  });
  expect(sessionTokens.size).toBeLessThanOrEqual(accessTokens.size);
  const sessions = await context.request.get("/api/auth/sessions");
  expect(sessions.status()).toBe(200);
  const { sessions: list } = (await sessions.json()) as { sessions: { id: string }[] };
  expect(list.map((s) => s.id)).toEqual([sid]);
});
