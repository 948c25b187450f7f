import { ACCESS_COOKIE, ACCESS_TTL_SECONDS } from "../constants";
import {
  accessTokenClaims,
  addTodo,
  authCookies,
  expect,
  headerSignOut,
  test,
  type AuthCookies,
} from "../fixtures";

const ACCESS_SET_COOKIE = new RegExp(`^${ACCESS_COOKIE}=([^;]+)`);

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
  // Every access token the server issues, read from its Set-Cookie (the cookie's Max-Age is the
  // token's lifetime, so between two requests the browser may rightly hold none).
  const issued = new Set<string>([start.access!.value]);
  const reading: Promise<void>[] = [];
  page.on("response", (response) => {
    reading.push(
      response.headersArray().then((headers) => {
        for (const { name, value } of headers) {
          const match = name.toLowerCase() === "set-cookie" ? value.match(ACCESS_SET_COOKIE) : null;
          if (match?.[1]) issued.add(match[1]);
        }
      }),
    );
  });

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
    expect(now.session, `session cookie at step ${step}`).toBeDefined();
    // The access cookie may have just expired (it lives exactly as long as its token); when it
    // is there, it is always the same user and the same session (no new sign-in behind the scenes).
    if (now.access) expect(accessTokenClaims(now.access.value)).toMatchObject({ sub, sid });
    seen.push(now);
  }

  // Every to-do made it, in order, and survives a reload.
  await page.reload();
  await expect(page.getByRole("list", { name: "To-dos" }).getByRole("listitem")).toHaveText(
    Array.from({ length: steps }, (_, i) => new RegExp(`Step ${i + 1}`)),
  );

  // ~10 s over 3-second lifetimes: the access token was replaced several times (each step is
  // ≥ 2 s after the previous one, so every two steps span more than one lifetime).
  await Promise.all(reading);
  const end = await authCookies(context);
  expect(end.access, "access cookie after the reload").toBeDefined();
  expect(end.access!.value).not.toBe(start.access!.value);
  for (const token of issued) expect(accessTokenClaims(token)).toMatchObject({ sub, sid });
  const accessTokens = issued;
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
