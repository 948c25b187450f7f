/**
 * Screenshots of every page of the SPA, light and dark, for docs/screenshots/.
 *
 *   npx tsx e2e/scripts/screenshots.ts        (from the repository root)
 *
 * Starts its own API (`pnpm start`, embedded PGlite in a temporary DATA_DIR, free port),
 * builds the SPA and serves it with `vite preview` (which proxies /api to that API), then
 * drives the system Chromium. Nothing is downloaded; everything it started is stopped.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "../chromium";
import { chromium, type Browser, type BrowserContext, type Page } from "@playwright/test";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const outDir = join(root, "docs/screenshots");
const PASSWORD = "violet-kettle-harbour-93";
const EMAIL = "ada@example.com";
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };
const DESKTOP_UA =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";
const PHONE_UA =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";

const children: ChildProcess[] = [];

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolvePort(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function start(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd = root,
): ChildProcess {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true, // its own process group, so stopping it stops its children too
  });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (log += chunk.toString()));
  child.once("exit", (code) => {
    if (code && code !== 0 && !stopping)
      console.error(`${command} ${args.join(" ")} exited ${code}:\n${log}`);
  });
  children.push(child);
  return child;
}

let stopping = false;
function stopAll(): void {
  stopping = true;
  for (const child of children) {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {
        // already gone
      }
    }
  }
}

async function waitFor(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.fonts.ready);
  // Let entrance transitions and toasts settle, and hide the caret for stable images.
  await page.addStyleTag({ content: "*{caret-color:transparent !important}" });
  await page.waitForTimeout(350);
  await page.screenshot({ path: join(outDir, `${name}.png`) });
  console.log(`  docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "screenshots-data-"));
  const [apiPort, webPort] = [await freePort(), await freePort()];
  let browser: Browser | undefined;

  try {
    console.log("Building the SPA…");
    const build = spawnSync("pnpm", ["--filter", "@hybrid-auth/web", "build"], {
      cwd: root,
      stdio: "ignore",
    });
    if (build.status !== 0) throw new Error("vite build failed");

    console.log(`Starting the API on :${apiPort} and the SPA on :${webPort}…`);
    start("pnpm", ["start"], {
      PORT: String(apiPort),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "error",
      NODE_ENV: "development",
    });
    await waitFor(`http://127.0.0.1:${apiPort}/api/health`);
    start(
      "pnpm",
      ["exec", "vite", "preview", "--host", "127.0.0.1", "--port", String(webPort), "--strictPort"],
      { VITE_API_URL: `http://127.0.0.1:${apiPort}` },
      join(root, "apps/web"),
    );
    const base = `http://127.0.0.1:${webPort}`;
    await waitFor(`${base}/`);
    await waitFor(`${base}/api/health`);

    browser = await chromium.launch(chromiumLaunchOptions);

    // One account, signed in on a laptop (used for every signed-in screenshot) and a phone.
    const laptop = await browser.newContext({ baseURL: base, userAgent: DESKTOP_UA });
    const registered = await laptop.request.post("/api/auth/register", {
      data: { email: EMAIL, password: PASSWORD, name: "Ada Lovelace" },
    });
    if (registered.status() !== 201)
      throw new Error(`register: ${registered.status()} ${await registered.text()}`);
    for (const [title, completed] of [
      ["Book the dentist appointment", true],
      ["Review the session-revocation pull request", false],
      ["Buy oat milk and coffee beans", false],
      ["Renew passport", true],
      ["Call Mum about Sunday lunch", false],
    ] as const) {
      const created = await laptop.request.post("/api/todos", { data: { title } });
      const { todo } = (await created.json()) as { todo: { id: string } };
      if (completed) await laptop.request.patch(`/api/todos/${todo.id}`, { data: { completed } });
    }
    const signedIn = await laptop.storageState();
    await laptop.close();

    const phone = await browser.newContext({ baseURL: base, userAgent: PHONE_UA });
    const phoneLogin = await phone.request.post("/api/auth/login", {
      data: { email: EMAIL, password: PASSWORD },
    });
    if (!phoneLogin.ok()) throw new Error(`phone login: ${phoneLogin.status()}`);
    await phone.close();

    for (const scheme of ["light", "dark"] as const) {
      console.log(`${scheme}:`);
      const guest: BrowserContext = await browser.newContext({
        baseURL: base,
        viewport: DESKTOP,
        colorScheme: scheme,
        userAgent: DESKTOP_UA,
      });
      const page = await guest.newPage();

      await page.goto("/");
      await page.getByRole("heading", { level: 1 }).waitFor();
      await shot(page, `landing-${scheme}`);

      await page.goto("/sign-in");
      await page.getByLabel("Email").fill("ada@example");
      await page.getByRole("button", { name: "Sign in", exact: true }).click();
      await page.getByText("Enter a valid email address").waitFor();
      await shot(page, `sign-in-${scheme}`);

      await page.goto("/sign-up");
      await page.getByLabel("Name").fill("Grace Hopper");
      await page.getByLabel("Email").fill("grace@example.com");
      await page.getByLabel("Password", { exact: true }).fill("grace1906");
      await page.getByText("Too easy to guess").waitFor({ timeout: 30_000 });
      await page.getByLabel("Password", { exact: true }).blur();
      await shot(page, `sign-up-${scheme}`);
      await guest.close();

      const user = await browser.newContext({
        baseURL: base,
        viewport: DESKTOP,
        colorScheme: scheme,
        userAgent: DESKTOP_UA,
        storageState: signedIn,
      });
      const app = await user.newPage();
      await app.goto("/todos");
      await app.locator("li.todo").first().waitFor();
      await shot(app, `todos-${scheme}`);

      await app.goto("/devices");
      await app.getByText("This device").waitFor();
      await app.locator("li.device").nth(1).waitFor();
      await shot(app, `devices-${scheme}`);

      await app.goto("/account");
      await app.getByText(EMAIL).waitFor();
      await shot(app, `account-${scheme}`);

      await app.setViewportSize(MOBILE);
      await app.goto("/todos");
      await app.locator("li.todo").first().waitFor();
      await shot(app, `todos-mobile-${scheme}`);
      await user.close();
    }
  } finally {
    await browser?.close();
    stopAll();
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

process.once("SIGINT", () => {
  stopAll();
  process.exit(130);
});

main().catch((error: unknown) => {
  console.error(error);
  stopAll();
  process.exit(1);
});
