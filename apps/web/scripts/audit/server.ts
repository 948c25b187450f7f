import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { setPriority, tmpdir } from "node:os";
import { join } from "node:path";

/** The administrator the audit's own server starts with (signed up, then `auth:set-role`). */
export const AUDIT_ADMIN = { email: "admin@audit.test", password: "basalt-harbour-meadow-64" };

export type RunningApp = { baseUrl: string; stop: () => Promise<void> };

/**
 * Gives a process a higher CPU priority (nice -10) when allowed (root), so that figures
 * measured on a shared machine depend less on what else runs; otherwise leaves it be.
 */
export function raisePriority(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    setPriority(pid, -10);
  } catch {
    // not root: normal priority
  }
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });

/**
 * Builds and starts the production app of the checkout at `root` the way the e2e suite does
 * (`e2e/scripts/serve-with-admin.mjs`: `pnpm start`, an administrator made the README's way),
 * with its own SMTP sink (`e2e/scripts/smtp-inbox.mjs`) and a fresh embedded database in a
 * temporary directory, removed by `stop()`. Uses `port`, `port + 1` (SMTP) and `port + 2`
 * (the first start that seeds the administrator).
 *
 * @example
 * const app = await startApp({ root: "/work/main", port: 45210 });
 * try { await audit(app.baseUrl); } finally { await app.stop(); }
 */
export async function startApp(options: { root: string; port: number }): Promise<RunningApp> {
  const { root, port } = options;
  const smtpPort = port + 1;
  const baseUrl = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "hybrid-auth-audit-"));
  // The children inherit this environment (PATH, CHROMIUM_PATH…) plus their own settings.
  // eslint-disable-next-line no-restricted-properties -- passed on, not read as configuration
  const inherited = process.env;
  const children: ChildProcess[] = [];
  const stop = async () => {
    for (const child of children) child.kill("SIGTERM");
    await Promise.all(children.map(exited));
    rmSync(dataDir, { recursive: true, force: true });
  };

  const smtp = spawn(process.execPath, ["scripts/smtp-inbox.mjs"], {
    cwd: join(root, "e2e"),
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...inherited, E2E_SMTP_PORT: String(smtpPort), E2E_INBOX_DIR: join(dataDir, "inbox") },
  });
  children.push(smtp);
  const server = spawn(process.execPath, ["e2e/scripts/serve-with-admin.mjs"], {
    cwd: root,
    // The build's and the server's own output stay visible: a failed build must say why.
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...inherited,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      AUTH_SECRET: "audit-only-secret-5b1e93c07d2f4a68-not-for-production-use",
      AUTH_ENCRYPTION_KEYS: "YXVkaXQtb25seS1lbmNyeXB0aW9uLWtleS0zMmJ5dGU=",
      // Every state signs a new user up from 127.0.0.1.
      AUTH_SIGN_UPS_PER_CLIENT: "1000",
      LOG_LEVEL: "error",
      SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      PUBLIC_URL: baseUrl,
      MAIL_FROM: "Tidy <no-reply@tidy.test>",
      E2E_ADMIN_EMAIL: AUDIT_ADMIN.email,
      E2E_ADMIN_PASSWORD: AUDIT_ADMIN.password,
    },
  });
  children.push(server);
  // The server it starts inherits this: measured, it should not queue behind other work.
  raisePriority(server.pid);

  let ended = false;
  void exited(server).then(() => (ended = true));
  // Building the SPA from scratch takes a while on two cores.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    if (ended) {
      await stop();
      throw new Error("the app stopped before it was healthy (its output is above)");
    }
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) return { baseUrl, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`the app did not answer ${baseUrl}/api/health within 5 minutes`);
}
