import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromiumLaunchOptions } from "./chromium";
import { defineConfig } from "@playwright/test";
import { ACCESS_TTL_SECONDS, ADMIN_EMAIL, ADMIN_PASSWORD, inboxDir } from "./constants";

/**
 * End-to-end tests in Debian's Chromium against the production build (`pnpm start`): the API
 * serves the built SPA on one origin, on a fresh embedded database, with a 3-second access
 * token so that silent reissue and revocation happen within a test. No browser is downloaded.
 */
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "..");
const port = Number(process.env.E2E_PORT ?? 43_117);
const baseURL = `http://localhost:${port}`;
const smtpPort = Number(process.env.E2E_SMTP_PORT ?? port + 1);
// The OpenID provider the app signs in with (`local`, "Local ID"): see scripts/oidc-provider.mjs.
// port + 2 is serve-with-admin.mjs's seeding server.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 3);
const oidc = {
  E2E_OIDC_PORT: String(oidcPort),
  E2E_OIDC_REDIRECT_URI: `${baseURL}/api/auth/oidc/local/callback`,
  E2E_OIDC_CLIENT_ID: "tidy-e2e",
  E2E_OIDC_CLIENT_SECRET: "e2e-only-oidc-client-secret-0123456789",
};

// A fresh data directory per run. The runner loads this file first (and creates it); the
// worker processes inherit the variable and reuse it, so only one directory is ever made.
let dataDir = process.env.E2E_DATA_DIR;
if (!dataDir) {
  const created = mkdtempSync(join(tmpdir(), "hybrid-auth-e2e-"));
  dataDir = process.env.E2E_DATA_DIR = created;
  // The runner exits after stopping the web server: remove the database with it.
  process.once("exit", () => rmSync(created, { recursive: true, force: true }));
}

export default defineConfig({
  testDir: "./tests",
  outputDir: "./test-results",
  fullyParallel: true,
  workers: 2,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  // `--reporter=list,json` on the command line (CI) overrides this.
  reporter: [["list"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromiumLaunchOptions,
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: [
    {
      // The mail server the API delivers to; the journeys read what it received.
      command: "node scripts/smtp-inbox.mjs",
      cwd: here,
      port: smtpPort,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      env: { E2E_SMTP_PORT: String(smtpPort), E2E_INBOX_DIR: inboxDir(dataDir) },
    },
    {
      command: "node scripts/oidc-provider.mjs",
      cwd: here,
      url: `http://127.0.0.1:${oidcPort}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
      stdout: "ignore",
      stderr: "pipe",
      env: oidc,
    },
    {
      // `pnpm start`, once an administrator has been made the README's way (the script says how).
      command: "node e2e/scripts/serve-with-admin.mjs",
      cwd: root,
      url: `${baseURL}/api/health`,
      reuseExistingServer: false,
      // Includes building the SPA when its sources are newer than apps/web/dist, and starting
      // twice (see the script).
      timeout: 240_000,
      stdout: "ignore",
      stderr: "pipe",
      gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
      env: {
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATA_DIR: dataDir,
        AUTH_SECRET: "e2e-only-secret-9f3c1a7be24d4c8e-not-for-production-use",
        AUTH_ENCRYPTION_KEYS: "ZTJlLW9ubHktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM=",
        AUTH_ACCESS_TTL: String(ACCESS_TTL_SECONDS),
        // Every journey signs up from 127.0.0.1: lift the per-address sign-up limit (10 an hour).
        AUTH_SIGN_UPS_PER_CLIENT: "1000",
        // Low enough for the paged-list journey to reach it quickly.
        TODOS_PER_USER_MAX: "500",
        LOG_LEVEL: "error",
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        PUBLIC_URL: baseURL,
        MAIL_FROM: "Tidy <no-reply@tidy.test>",
        E2E_ADMIN_EMAIL: ADMIN_EMAIL,
        E2E_ADMIN_PASSWORD: ADMIN_PASSWORD,
        OIDC_PROVIDERS: "local",
        OIDC_LOCAL_NAME: "Local ID",
        OIDC_LOCAL_ISSUER: `http://127.0.0.1:${oidcPort}`,
        OIDC_LOCAL_CLIENT_ID: oidc.E2E_OIDC_CLIENT_ID,
        OIDC_LOCAL_CLIENT_SECRET: oidc.E2E_OIDC_CLIENT_SECRET,
      },
    },
  ],
});
