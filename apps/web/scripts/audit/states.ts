import type { APIRequestContext, Locator, Page } from "playwright-core";

/**
 * The page states the accessibility audit visits. Each one starts from a fresh page of a fresh
 * browser context (with a `baseURL`) that is signed out (`guest`), signed in as a new user made
 * for this state (`user`) or signed in as the administrator (`admin`), and brings it into the
 * state: when `setup` returns, the state is on screen and the page is quiet.
 *
 * Selectors go by role and accessible name (what a person sees), so they survive restyling.
 */
export type Viewer = "guest" | "user" | "admin";

export type PageState = {
  name: string;
  as: Viewer;
  setup: (page: Page, context: StateContext) => Promise<void>;
  /** It goes away on its own (a toast): set it up again for each viewport and colour scheme. */
  transient?: boolean;
};

export type StateContext = {
  /** An email that already has an account (for the "already exists" error). */
  takenEmail: string;
};

/** Unique enough for one run; `.test` addresses are never delivered anywhere. */
export function uniqueEmail(label: string): string {
  const random = Math.random().toString(36).slice(2, 10);
  return `audit-${label}-${Date.now()}-${random}@example.test`;
}

/** A password zxcvbn scores as strong (the sign-up form accepts it). */
export const AUDIT_PASSWORD = "copper-meadow-lantern-71";

/** Registers through the API; with a browser context's `request` the context is signed in. */
export async function register(request: APIRequestContext, email: string): Promise<void> {
  const response = await request.post("/api/auth/register", {
    data: { email, password: AUDIT_PASSWORD, name: "Audit User" },
  });
  if (response.status() !== 201) {
    throw new Error(`sign-up answered ${response.status()}: ${await response.text()}`);
  }
}

/** Signs in through the API (counts against the per-address sign-in budget). */
export async function signIn(
  request: APIRequestContext,
  email: string,
  password: string,
): Promise<void> {
  const response = await request.post("/api/auth/login", { data: { email, password } });
  if (response.status() !== 200) {
    throw new Error(`sign-in answered ${response.status()}: ${await response.text()}`);
  }
}

/** Adds to-dos through the API, the ones listed in `done` ticked. */
export async function addTodos(
  request: APIRequestContext,
  titles: string[],
  done: string[] = [],
): Promise<void> {
  for (const title of titles) {
    const created = await request.post("/api/todos", { data: { title } });
    if (created.status() !== 201) throw new Error(`POST /api/todos answered ${created.status()}`);
    if (!done.includes(title)) continue;
    const { todo } = (await created.json()) as { todo: { id: string } };
    const ticked = await request.patch(`/api/todos/${todo.id}`, { data: { completed: true } });
    if (!ticked.ok()) throw new Error(`PATCH /api/todos answered ${ticked.status()}`);
  }
}

export const SAMPLE_TODOS = ["Buy oat milk", "Call the plumber about the sink", "Renew passport"];

/** Opens `path` and waits for its level-1 heading (`name`: its text, or part of it). */
async function open(page: Page, path: string, name: string | RegExp): Promise<void> {
  await page.goto(path);
  await visible(page.getByRole("heading", { level: 1, name }));
  await quiet(page);
}

async function visible(locator: Locator): Promise<void> {
  await locator.first().waitFor({ state: "visible", timeout: 15_000 });
}

/** No request in flight for 500 ms (lazy chunks, the page's data). */
async function quiet(page: Page): Promise<void> {
  await page.waitForLoadState("networkidle", { timeout: 15_000 });
}

async function openTodosWithItems(page: Page): Promise<void> {
  await addTodos(page.context().request, SAMPLE_TODOS, [SAMPLE_TODOS[2]!]);
  await open(page, "/todos", "To-dos");
  await visible(page.getByRole("list", { name: "To-dos" }).getByRole("listitem"));
}

/** The filter control "Done" (a button today; a link once the filter is in the URL). */
function doneFilter(page: Page): Locator {
  const name = /^Done\b/;
  return page.getByRole("button", { name }).or(page.getByRole("link", { name }));
}

async function openAccount(page: Page): Promise<void> {
  await open(page, "/account", "Account");
  // The two-factor and passkeys cards load their own state.
  await visible(page.getByRole("heading", { name: /two-factor|two-step/i }));
  await visible(page.getByRole("heading", { name: /passkeys/i }));
  await quiet(page);
}

/** The scopes the server offers (its descriptions may differ: the audit checks the page, not the words). */
const AUDIT_API_KEY_SCOPES = [
  { name: "todos:read", description: "Read your to-dos." },
  { name: "todos:write", description: "Add, change and delete your to-dos." },
  { name: "introspect", description: "Check whether a token is still valid (for services)." },
];

/**
 * The API-keys routes answered in the browser: a list that holds every kind of row (used,
 * never used, expired) whatever the server's clock, and a creation that needs no step-up.
 * The page's look does not depend on where the answers come from (decision 037).
 */
async function routeApiKeys(page: Page, withKeys: boolean): Promise<void> {
  const day = 86_400_000;
  const at = (offset: number) => new Date(Date.now() + offset).toISOString();
  const key = (id: string, name: string, fields: Record<string, unknown>) => ({
    id,
    name,
    prefix: `hak_${id}Xq`,
    scopes: ["todos:read"],
    createdAt: at(-40 * day),
    lastUsedAt: null,
    expiresAt: null,
    ...fields,
  });
  const apiKeys = withKeys
    ? [
        key("7f", "Backup script", {
          scopes: ["todos:read", "todos:write"],
          lastUsedAt: at(-3 * 60_000),
          expiresAt: at(50 * day),
        }),
        key("2c", "Status dashboard", { createdAt: at(-2 * day) }),
        key("9a", "Old importer", { expiresAt: at(-5 * day), lastUsedAt: at(-6 * day) }),
      ]
    : [];
  await page.route("**/api/auth/api-keys", async (route) => {
    if (route.request().method() === "POST") {
      const body = route.request().postDataJSON() as { name: string; scopes: string[] };
      return route.fulfill({
        status: 201,
        json: {
          apiKey: key("5e", body.name, { scopes: body.scopes, createdAt: at(0) }),
          secret: "hak_5eXq8Hc2LwP0tYv4Nm7Rb1Kd9Gf3Js6Ua0Zx2Q1w9Ex",
        },
      });
    }
    return route.fulfill({ json: { apiKeys, scopes: AUDIT_API_KEY_SCOPES, limit: 25 } });
  });
}

async function openApiKeys(page: Page, withKeys: boolean): Promise<void> {
  await routeApiKeys(page, withKeys);
  await open(page, "/api-keys", "API keys");
  await visible(page.getByRole("button", { name: "Create key" }));
  await quiet(page);
}

export const PAGE_STATES: PageState[] = [
  { name: "landing", as: "guest", setup: (page) => open(page, "/", /signed out/) },
  { name: "sign-in", as: "guest", setup: (page) => open(page, "/sign-in", "Welcome back") },
  {
    name: "sign-in: error shown",
    as: "guest",
    async setup(page) {
      await open(page, "/sign-in", "Welcome back");
      await page.getByLabel("Email").fill(uniqueEmail("nobody"));
      await page.getByLabel("Password", { exact: true }).fill("not-the-password-42");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await visible(page.getByRole("alert"));
      await quiet(page);
    },
  },
  {
    name: "sign-up",
    as: "guest",
    setup: (page) => open(page, "/sign-up", "Create your account"),
  },
  {
    name: "sign-up: password feedback",
    as: "guest",
    async setup(page) {
      await open(page, "/sign-up", "Create your account");
      await page.getByLabel("Password", { exact: true }).fill("kettle12");
      // The strength checker is a lazily loaded chunk: wait for its verdict.
      await visible(page.locator(".strength-text strong"));
      await quiet(page);
    },
  },
  {
    name: "sign-up: server error",
    as: "guest",
    async setup(page, { takenEmail }) {
      await open(page, "/sign-up", "Create your account");
      await page.getByLabel("Name").fill("Audit User");
      await page.getByLabel("Email").fill(takenEmail);
      await page.getByLabel("Password", { exact: true }).fill(AUDIT_PASSWORD);
      await page.getByRole("button", { name: "Create account" }).click();
      await visible(page.getByText(/already exists/));
      await quiet(page);
    },
  },
  {
    name: "forgot-password",
    as: "guest",
    setup: (page) => open(page, "/forgot-password", /password/i),
  },
  {
    name: "reset-password: bad link",
    as: "guest",
    async setup(page) {
      await page.goto("/reset-password?token=not-a-real-reset-token");
      await visible(page.getByRole("heading", { name: /expired|incomplete/ }));
      await quiet(page);
    },
  },
  {
    name: "verify-email: bad link",
    as: "guest",
    async setup(page) {
      await page.goto("/verify-email?token=not-a-real-verification-token");
      await page.getByText("Hold on").waitFor({ state: "hidden", timeout: 15_000 });
      await visible(page.getByRole("heading"));
      await quiet(page);
    },
  },
  {
    name: "not-found",
    as: "guest",
    setup: (page) => open(page, "/no-such-page/at-all", "Page not found"),
  },
  {
    name: "to-dos: empty",
    as: "user",
    async setup(page) {
      await open(page, "/todos", "To-dos");
      await visible(page.getByRole("textbox", { name: "New to-do" }));
    },
  },
  { name: "to-dos: with items", as: "user", setup: openTodosWithItems },
  {
    name: "to-dos: editing one",
    as: "user",
    async setup(page) {
      await openTodosWithItems(page);
      await page
        .getByRole("button", { name: `Edit “${SAMPLE_TODOS[0]}”` })
        .first()
        .click();
      await visible(page.getByRole("textbox", { name: "Edit to-do" }));
    },
  },
  {
    name: "to-dos: filter done",
    as: "user",
    async setup(page) {
      await openTodosWithItems(page);
      await doneFilter(page).first().click();
      await page
        .getByText(SAMPLE_TODOS[0]!, { exact: true })
        .waitFor({ state: "hidden", timeout: 15_000 });
      await quiet(page);
    },
  },
  {
    name: "devices",
    as: "user",
    async setup(page) {
      await open(page, "/devices", "Your devices");
      await visible(page.getByText("This device", { exact: true }));
      await quiet(page);
    },
  },
  { name: "account", as: "user", setup: openAccount },
  {
    name: "account: step-up dialog",
    as: "user",
    async setup(page) {
      // A real sign-up is a fresh proof, so the server would not ask yet: answer the
      // authenticator setup with the server's own step-up problem instead.
      await page.route("**/api/auth/2fa/totp/setup", (route) =>
        route.fulfill({
          status: 401,
          contentType: "application/problem+json",
          body: JSON.stringify({
            type: "/problems/reauthentication-required",
            title: "Confirm it's you",
            status: 401,
            detail: "This action needs a recent sign-in. Confirm it's you to continue.",
            methods: ["password"],
            maxAgeSeconds: 600,
          }),
        }),
      );
      await openAccount(page);
      await page.getByRole("button", { name: /set up authenticator/i }).click();
      const dialog = page.getByRole("dialog", { name: "Confirm it's you" });
      await visible(dialog.getByLabel(/password/i));
      await quiet(page);
    },
  },
  {
    name: "api-keys: empty",
    as: "user",
    async setup(page) {
      await openApiKeys(page, false);
      await visible(page.getByText("No API keys yet."));
    },
  },
  {
    name: "api-keys: with keys",
    as: "user",
    async setup(page) {
      await openApiKeys(page, true);
      await visible(page.getByText("Expired", { exact: true }));
    },
  },
  {
    name: "api-keys: form errors",
    as: "user",
    async setup(page) {
      await openApiKeys(page, true);
      await page.getByLabel("Expires").selectOption("custom");
      await page.getByRole("button", { name: "Create key" }).click();
      await visible(page.getByText("Choose at least one thing the key may do."));
      await quiet(page);
    },
  },
  {
    name: "api-keys: secret shown once",
    as: "user",
    async setup(page) {
      await openApiKeys(page, true);
      await page.getByLabel("Name", { exact: true }).fill("Audit script");
      await page.getByLabel("todos:read").check();
      await page.getByRole("button", { name: "Create key" }).click();
      await visible(page.getByLabel("Your new API key"));
      await quiet(page);
    },
  },
  {
    name: "api-keys: revoke dialog",
    as: "user",
    async setup(page) {
      await openApiKeys(page, true);
      await page.getByRole("button", { name: "Revoke Backup script" }).click();
      await visible(page.getByRole("dialog", { name: "Revoke “Backup script”?" }));
      await quiet(page);
    },
  },
  {
    name: "toast shown",
    as: "user",
    transient: true,
    async setup(page) {
      await openAccount(page);
      await page.getByRole("button", { name: "Edit name" }).click();
      await page.getByLabel("Your name").fill(`Audit ${Math.random().toString(36).slice(2, 6)}`);
      await page.getByRole("button", { name: "Save", exact: true }).click();
      const toast = page.getByRole("region", { name: "Notifications" }).getByRole("status");
      await visible(toast);
    },
  },
  {
    name: "admin: users",
    as: "admin",
    async setup(page) {
      await open(page, "/admin", "Users");
      await visible(page.getByRole("link", { name: /@/ }));
      await quiet(page);
    },
  },
  {
    name: "admin: one user",
    as: "admin",
    async setup(page) {
      await open(page, "/admin", "Users");
      await page.getByRole("link", { name: /@/ }).first().click();
      await visible(page.getByRole("heading", { level: 1, name: /@/ }));
      await quiet(page);
    },
  },
  {
    name: "not-found: signed in",
    as: "user",
    setup: (page) => open(page, "/nothing/here", "Page not found"),
  },
];

/** The viewports and colour schemes every state is checked in. */
export const VARIANTS = [
  { name: "desktop light", viewport: { width: 1280, height: 800 }, colorScheme: "light" },
  { name: "desktop dark", viewport: { width: 1280, height: 800 }, colorScheme: "dark" },
  { name: "mobile light", viewport: { width: 375, height: 740 }, colorScheme: "light" },
  { name: "mobile dark", viewport: { width: 375, height: 740 }, colorScheme: "dark" },
] as const;

export type Variant = (typeof VARIANTS)[number];
