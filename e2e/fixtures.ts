import {
  expect,
  test as base,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Cookie,
  type Locator,
  type Page,
  type TestInfo,
} from "@playwright/test";
import { ACCESS_COOKIE, PASSWORD, SESSION_COOKIE } from "./constants";

export { expect };

export type Credentials = { email: string; password: string; name: string };

/** User agents that the devices page tells apart ("Chrome 131 on macOS", "Mobile Safari on iOS"). */
export const LAPTOP_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
export const PHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

let counter = 0;

/** Fresh, unique credentials for one test (not registered yet). */
export function uniqueCredentials(testInfo: TestInfo, label = "user"): Credentials {
  counter += 1;
  const id = `${testInfo.testId}-${testInfo.workerIndex}-${Date.now()}-${counter}`;
  return {
    email: `e2e-${label}-${id}@example.test`.toLowerCase(),
    password: PASSWORD,
    name: `E2E ${label}`,
  };
}

/**
 * Registers through the API. With a browser context's `request`, the context is signed in
 * afterwards (it shares the cookie jar); with the standalone `request` fixture it is not.
 * Sign-up is not throttled, unlike sign-in (30 attempts per IP per 5 minutes for the whole run).
 */
export async function registerViaApi(request: APIRequestContext, user: Credentials): Promise<void> {
  const response = await request.post("/api/auth/register", {
    data: { email: user.email, password: user.password, name: user.name },
  });
  expect(response.status(), await response.text()).toBe(201);
}

/** Signs in through the API (counts against the per-IP sign-in budget: use sparingly). */
export async function signInViaApi(request: APIRequestContext, user: Credentials): Promise<void> {
  const response = await request.post("/api/auth/login", {
    data: { email: user.email, password: user.password },
  });
  expect(response.status(), await response.text()).toBe(200);
}

/** Fills and submits the sign-in form on the current /sign-in page. */
export async function signInThroughUi(page: Page, email: string, password: string): Promise<void> {
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Fills and submits the sign-up form on the current /sign-up page. */
export async function signUpThroughUi(page: Page, user: Credentials): Promise<void> {
  await expect(page.getByRole("heading", { name: "Create your account" })).toBeVisible();
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

/** The sign-in page, asked to come back to `returnTo` afterwards (`null`: no return path). */
export async function expectSignInPage(page: Page, returnTo: string | null): Promise<void> {
  await expect(page).toHaveURL(
    (url) => url.pathname === "/sign-in" && url.searchParams.get("returnTo") === returnTo,
  );
  await expect(page.getByRole("heading", { name: "Welcome back" })).toBeVisible();
}

/**
 * The session ended under the page (revoked elsewhere): the app asks to sign in again in place,
 * saying why (`reason`, as the SPA words it); the user goes to the sign-in page instead, which
 * says why again, comes back to `returnTo` afterwards, and shows them signed out.
 */
export async function expectSessionEndedThenSignInPage(
  page: Page,
  reason: string,
  returnTo: string,
): Promise<void> {
  const dialog = page.getByRole("dialog", { name: "Sign in again" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText(reason);
  await dialog.getByRole("button", { name: "Go to the sign-in page" }).click();
  await expectSignInPage(page, returnTo);
  await expect(page.getByText(`${reason} Please sign in again.`)).toBeVisible();
  await expect(headerSignOut(page)).toBeHidden();
}

/** The header's "Sign out" button: visible exactly when the SPA thinks it is signed in. */
export function headerSignOut(page: Page): Locator {
  return page.getByRole("banner").getByRole("button", { name: "Sign out" });
}

/** Signs out with the header's button and waits for the sign-in page. */
export async function signOutThroughUi(page: Page): Promise<void> {
  await headerSignOut(page).click();
  await expectSignInPage(page, null);
}

/** The devices page's entry for this session says how it signed in (e.g. "Passkey"). */
export async function expectThisDeviceSignedInWith(page: Page, how: string): Promise<void> {
  await page.goto("/devices");
  await expect(
    page
      .getByRole("listitem")
      .filter({ hasText: "This device" })
      .getByText(/Signed in with/),
  ).toHaveText(`Signed in with: ${how}`);
}

/** The input that adds a to-do. */
export function newTodoInput(page: Page): Locator {
  return page.getByRole("textbox", { name: "New to-do" });
}

/** A to-do row by its exact title. */
export function todoRow(page: Page, title: string): Locator {
  return page
    .getByRole("list", { name: "To-dos" })
    .getByRole("listitem")
    .filter({ has: page.getByText(title, { exact: true }) });
}

/**
 * Adds a to-do through the form and waits until the server has stored it (the list is
 * optimistic: the row shows at once, marked pending until the answer arrives).
 */
export async function addTodo(page: Page, title: string): Promise<void> {
  const created = page.waitForResponse(
    (r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/api/todos",
  );
  await newTodoInput(page).fill(title);
  await newTodoInput(page).press("Enter");
  expect((await created).status()).toBe(201);
  await expect(todoRow(page, title)).toBeVisible();
  await expect(todoRow(page, title)).not.toHaveClass(/pending/);
}

export type AuthCookies = { access: Cookie | undefined; session: Cookie | undefined };

export async function authCookies(context: BrowserContext): Promise<AuthCookies> {
  const cookies = await context.cookies();
  return {
    access: cookies.find((c) => c.name === ACCESS_COOKIE),
    session: cookies.find((c) => c.name === SESSION_COOKIE),
  };
}

export type AccessClaims = { sub: string; sid: string; exp: number };

/** The claims of an access JWT (`exp` in seconds); the tests only read them, never verify. */
export function accessTokenClaims(jwt: string): AccessClaims {
  const payload = jwt.split(".")[1];
  if (!payload) throw new Error("not a JWT");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<
    string,
    unknown
  >;
  const { sub, sid, exp } = claims;
  if (typeof sub !== "string" || typeof sid !== "string" || typeof exp !== "number") {
    throw new Error(`unexpected access-token claims: ${JSON.stringify(claims)}`);
  }
  return { sub, sid, exp };
}

/** A second device: its own browser context (own cookies), with a phone user agent. */
export async function openDevice(
  browser: Browser,
  baseURL: string | undefined,
  userAgent: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, userAgent });
  const page = await context.newPage();
  return { context, page };
}

type Fixtures = {
  /** Fresh credentials for this test, not registered. */
  credentials: Credentials;
  /** A fresh user registered through the API; the `page` is NOT signed in. */
  registeredUser: Credentials;
  /** A fresh user registered in the `page`'s context (signed in), the page on /todos. */
  signedInUser: Credentials;
};

export const test = base.extend<Fixtures>({
  // Playwright reads the fixture's dependencies from this (empty) destructuring pattern.
  // eslint-disable-next-line no-empty-pattern
  credentials: async ({}, use, testInfo) => {
    await use(uniqueCredentials(testInfo));
  },

  registeredUser: async ({ request, credentials }, use) => {
    await registerViaApi(request, credentials);
    await use(credentials);
  },

  signedInUser: async ({ page, credentials }, use) => {
    await registerViaApi(page.context().request, credentials);
    await page.goto("/todos");
    await expect(page.getByRole("heading", { name: "To-dos", level: 1 })).toBeVisible();
    await use(credentials);
  },
});
