import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseSetCookie } from "@hybrid-auth/auth/testing";
import { expect } from "vitest";
import { STRONG_PASSWORD, TEST_SECRET, uniqueEmail } from "./test-app.js";
import { freePort } from "@hybrid-auth/db/testing";

/*
 * The API as real processes, for the tests of several processes over one PostgreSQL database
 * (`tests/multi-process.test.ts`, `tests/pgbouncer.test.ts`): start them, call them over
 * HTTP, sign users up, poll until a revocation is seen.
 */

const repoRoot = fileURLToPath(new URL("../../../..", import.meta.url));
const ACCESS_COOKIE = "__Host-auth_access";
const SESSION_COOKIE = "__Host-auth_session";

export type Reply = { status: number; body: string; setCookies: string[] };

/** One HTTP request on a fresh connection, so that a cluster spreads them over its workers. */
export function call(
  base: string,
  method: string,
  path: string,
  options: { cookie?: string; json?: unknown; localAddress?: string } = {},
): Promise<Reply> {
  const body = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = options.cookie;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const target = new URL(path, base);
    const { localAddress } = options;
    const req = request(target, { method, headers, agent: false, localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const setCookie = res.headers["set-cookie"] ?? [];
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString(),
          setCookies: Array.isArray(setCookie) ? setCookie : [setCookie],
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

export type ApiProcess = {
  name: string;
  url: string;
  child: ChildProcess;
  /** Pids of the processes that serve requests (the workers, for a cluster). */
  servingPids: number[];
  output: () => string;
  stop(): Promise<void>;
};

/** The API's entry (from its sources) in its own process; resolves once every worker listens. */
export async function startApi(name: string, env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const workers = Number(env.WEB_CONCURRENCY ?? "1");
  const child = spawn(
    process.execPath,
    ["--conditions=@hybrid-auth/source", "--import", "tsx", "apps/api/src/index.ts"],
    {
      cwd: repoRoot,
      // Only what the server needs: no inherited environment.
      env: {
        NODE_ENV: "production",
        AUTH_SECRET: TEST_SECRET,
        // Production needs a key of its own for second-factor secrets.
        AUTH_ENCRYPTION_KEYS: "dGVzdC1vbmx5LWVuY3J5cHRpb24ta2V5LTMyYnl0ZXM=",
        // Production needs a mail server; this test reads no mail (port 9 refuses at once).
        SMTP_URL: "smtp://127.0.0.1:9",
        DATA_DIR: mkdtempSync(join(tmpdir(), "multi-process-")),
        LOG_LEVEL: "error",
        HOST: "127.0.0.1",
        PORT: String(port),
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const servingPids: number[] = [];
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 45_000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code}:\n${output}`));
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      for (const match of chunk.toString().matchAll(/listening on [^\n]*?(?:worker (\d+))?\)/g)) {
        servingPids.push(match[1] ? Number(match[1]) : child.pid!);
      }
      if (servingPids.length >= workers) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", collect);
    child.stderr!.on("data", collect);
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    servingPids,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Both cookies, as a browser sends them, and the access cookie alone. */
export function cookieHeaders(reply: Reply): { cookie: string; accessOnly: string } {
  const cookies = reply.setCookies.map(parseSetCookie);
  const pick = (name: string) => cookies.find((cookie) => cookie.name === name)?.value;
  const access = pick(ACCESS_COOKIE);
  const session = pick(SESSION_COOKIE);
  if (!access || !session) throw new Error(`no auth cookies in ${reply.setCookies.join(" | ")}`);
  const accessOnly = `${ACCESS_COOKIE}=${access}`;
  return { cookie: `${accessOnly}; ${SESSION_COOKIE}=${session}`, accessOnly };
}

let signUps = 0;

/**
 * Signs a new user up. Each from its own loopback address (127.0.0.2, .3, …; Linux routes all
 * of 127/8 to lo): sign-ups are rate-limited per client address, and these are many users.
 */
export async function register(server: ApiProcess) {
  signUps += 1;
  const reply = await call(server.url, "POST", "/api/auth/register", {
    json: { email: uniqueEmail("multi"), password: STRONG_PASSWORD },
    localAddress: `127.0.${Math.floor(signUps / 250)}.${2 + (signUps % 250)}`,
  });
  expect(reply.status, reply.body).toBe(201);
  const { user } = JSON.parse(reply.body) as { user: { id: string } };
  return { userId: user.id, ...cookieHeaders(reply) };
}

/**
 * Polls `path` (`GET /api/auth/session` by default) until `refused` holds for `streak` replies
 * in a row (a cluster of two workers answers alternately: a streak of three covers both);
 * returns the milliseconds from `since` to the first reply of that streak, and how many
 * replies it took. Every other reply must have the status `meanwhile` (200 by default).
 */
export async function pollUntil(
  server: ApiProcess,
  cookie: string,
  refused: (reply: Reply) => boolean,
  since: number,
  { streak = 1, timeoutMs = 5000, meanwhile = 200 } = {},
  path = "/api/auth/session",
): Promise<{ delayMs: number; requests: number }> {
  let run = 0;
  let firstOfRun = 0;
  for (let requests = 1; ; requests += 1) {
    const reply = await call(server.url, "GET", path, { cookie });
    const now = performance.now();
    if (refused(reply)) {
      if (run === 0) firstOfRun = now;
      run += 1;
      if (run >= streak) return { delayMs: firstOfRun - since, requests };
    } else {
      expect(reply.status, `${server.name}: ${reply.body}\n${server.output().slice(-3000)}`).toBe(
        meanwhile,
      );
      run = 0;
    }
    if (now - since > timeoutMs)
      throw new Error(`${server.name} still accepts after ${timeoutMs} ms`);
  }
}

export const unauthorized = (reply: Reply) => reply.status === 401;
export const streakFor = (server: ApiProcess) => (server.servingPids.length > 1 ? 3 : 1);
