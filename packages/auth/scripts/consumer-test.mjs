#!/usr/bin/env node
// Consumer test: proves that an outside developer can install and use the *packed* package.
//
//  1. builds @hybrid-auth/auth and packs it (prints the tarball's files and size);
//  2. creates a fresh app under os.tmpdir() (outside the workspace) that depends on the
//     tarball and on the workspace's exact versions of hono, @hono/node-server, drizzle-orm and
//     @electric-sql/pglite, and installs it with npm;
//  3. writes a host app of at most 15 lines of code, type-checks it with a strict tsconfig
//     (skipLibCheck off; errors that a control project without @hybrid-auth/auth shows too are
//     upstream and reported, not failed, unless CONSUMER_STRICT_LIB_CHECK=1) and runs the
//     compiled JavaScript with plain node;
//  4. drives it over real HTTP: 401s, sign-up, sign-in from a second device, the devices list
//     (spoofed X-Forwarded-For ignored), the activity list, instant revocation, sign-up limits
//     and the per-address sign-in cool-down.
//
// Usage: node packages/auth/scripts/consumer-test.mjs   (KEEP_CONSUMER=1 keeps the temp dir)
// Only Node built-ins; needs pnpm, npm and tar on PATH and the npm registry.

import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = path.resolve(packageDir, "../..");
const keep = process.env.KEEP_CONSUMER === "1";
const MAX_HOST_LINES = 15;
const PASSWORD = "violet-kettle-harbour-93";
const SPOOFED_IP = "6.6.6.6";

let passed = 0;
let failed = 0;
let server;
/** Child processes still running (tsc), ended on cleanup. */
const children = new Set();
let serverOutput = "";
let workDir;
const started = Date.now();

// ---------------------------------------------------------------------------------------------
// Reporting

function check(name, ok, detail = "") {
  if (ok) {
    passed++;
    console.log(`  ok    ${name}`);
  } else {
    failed++;
    console.log(
      `  FAIL  ${name}${detail ? `\n        ${detail.split("\n").join("\n        ")}` : ""}`,
    );
  }
  return ok;
}

class Fatal extends Error {}

/** A check whose failure leaves nothing meaningful to test afterwards. */
function require_(name, ok, detail) {
  if (!check(name, ok, detail)) throw new Fatal(name);
}

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function step(title, fn) {
  const t0 = Date.now();
  console.log(`\n== ${title}`);
  const result = await fn();
  console.log(`   (${title}: ${seconds(Date.now() - t0)})`);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Processes

/** The environment without the variables pnpm/npm set for scripts (npm_config_*, …). */
function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_)/i.test(key) || key === "NODE_PATH" || key === "NODE_OPTIONS") continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

function run(command, args, { cwd, env = process.env, timeout = 10 * 60_000 } = {}) {
  const result = spawnSync(command, args, {
    cwd,
    env,
    encoding: "utf8",
    timeout,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim();
  const ok = result.status === 0 && !result.error;
  const why = result.error ? String(result.error) : `exit code ${result.status}`;
  return { ok, output, why, stdout: result.stdout ?? "" };
}

function runAsync(command, args, { cwd, env = process.env } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    child.on("exit", () => children.delete(child));
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", (error) =>
      resolve({ ok: false, output: String(error), why: String(error), stdout }),
    );
    child.on("close", (code) =>
      resolve({
        ok: code === 0,
        output: `${stdout}${stderr}`.trim(),
        why: `exit code ${code}`,
        stdout,
      }),
    );
  });
}

function tail(text, lines = 40) {
  return text.split("\n").slice(-lines).join("\n");
}

// ---------------------------------------------------------------------------------------------
// 1. Build and pack

function buildAndPack(packDir) {
  // --force: `tsc -b` trusts its .tsbuildinfo, so a deleted or partial dist/ would otherwise
  // stay partial and be packed as is.
  const build = run("pnpm", ["--filter", "@hybrid-auth/auth", "build", "--force"], {
    cwd: repoRoot,
  });
  require_(
    "package builds (pnpm --filter @hybrid-auth/auth build --force)",
    build.ok,
    `${build.why}\n${tail(build.output)}`,
  );

  const pack = run("pnpm", ["pack", "--pack-destination", packDir], { cwd: packageDir });
  require_("pnpm pack succeeds", pack.ok, `${pack.why}\n${tail(pack.output)}`);
  const tarballs = fs.readdirSync(packDir).filter((name) => name.endsWith(".tgz"));
  require_("pnpm pack wrote one tarball", tarballs.length === 1, `found: ${tarballs.join(", ")}`);
  const tarball = path.join(packDir, tarballs[0]);

  const list = run("tar", ["-tzf", tarball]);
  require_("tar -tzf lists the tarball", list.ok, list.output);
  const files = list.stdout.split("\n").filter(Boolean).sort();
  const sizeKb = fs.statSync(tarball).size / 1024;

  console.log(`\n   ${path.basename(tarball)}: ${files.length} files, ${sizeKb.toFixed(1)} KB`);
  for (const file of files) console.log(`     ${file}`);
  const byTop = {};
  for (const file of files) {
    const parts = file.replace(/^package\//, "").split("/");
    const top = parts.length > 1 ? `${parts[0]}/` : parts[0];
    byTop[top] = (byTop[top] ?? 0) + 1;
  }
  console.log(
    `   summary: ${Object.entries(byTop)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
  );
  console.log(`   size: ${sizeKb.toFixed(1)} KB`);

  const has = (file) => files.includes(`package/${file}`);
  for (const needed of ["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]) {
    check(`tarball contains ${needed}`, has(needed));
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
  const targets = [];
  const collect = (value) => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(manifest.exports);
  const missing = [...new Set(targets)].filter((target) => !has(target.replace(/^\.\//, "")));
  check(
    "every exports target is in the tarball",
    missing.length === 0,
    `missing: ${missing.join(", ")}`,
  );
  const moduleOf = (file, from) =>
    file.replace(`package/${from}/`, "").replace(from === "src" ? /\.ts$/ : /\.js$/, "");
  const sources = files.filter((f) => /^package\/src\/.*\.ts$/.test(f) && !f.endsWith(".d.ts"));
  const outputs = files.filter((f) => /^package\/dist\/.*\.js$/.test(f));
  const built = new Set(outputs.map((f) => moduleOf(f, "dist")));
  const shipped = new Set(sources.map((f) => moduleOf(f, "src")));
  const unbuilt = [...shipped].filter((m) => !built.has(m));
  const stale = [...built].filter((m) => !shipped.has(m));
  check(
    `every shipped src/*.ts has its dist/*.js and no dist/*.js lacks a source (${outputs.length} js)`,
    unbuilt.length === 0 && stale.length === 0,
    `without dist: ${unbuilt.slice(0, 8).join(", ")}\nstale in dist: ${stale.slice(0, 8).join(", ")}`,
  );
  const unwanted = files.filter((file) =>
    /\.test\.ts$|\/src\/tests\/|\/src\/examples\/|\.tsbuildinfo$|(^|\/)node_modules\//.test(file),
  );
  check(
    "tarball has no tests, examples, tsbuildinfo or node_modules",
    unwanted.length === 0,
    unwanted.slice(0, 10).join("\n"),
  );
  return { tarball, files, sizeKb };
}

// ---------------------------------------------------------------------------------------------
// 2. The consumer app

function installedVersion(fromDir, name) {
  const manifest = path.join(fromDir, "node_modules", ...name.split("/"), "package.json");
  const { version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
  return version;
}

function createApp(appDir, tarball) {
  const versions = {
    hono: installedVersion(path.join(repoRoot, "apps/api"), "hono"),
    "@hono/node-server": installedVersion(path.join(repoRoot, "apps/api"), "@hono/node-server"),
    "drizzle-orm": installedVersion(path.join(repoRoot, "apps/api"), "drizzle-orm"),
    "@electric-sql/pglite": installedVersion(
      path.join(repoRoot, "packages/db"),
      "@electric-sql/pglite",
    ),
    typescript: installedVersion(repoRoot, "typescript"),
  };
  console.log(
    `   workspace versions: ${Object.entries(versions)
      .map(([k, v]) => `${k}@${v}`)
      .join(", ")}`,
  );

  fs.mkdirSync(path.join(appDir, "src"), { recursive: true });
  const { typescript, ...runtime } = versions;
  const manifest = {
    name: "hybrid-auth-consumer",
    version: "0.0.0",
    private: true,
    type: "module",
    scripts: { build: "tsc -p .", start: "node dist/server.js" },
    dependencies: { "@hybrid-auth/auth": `file:${tarball}`, ...runtime },
    devDependencies: { typescript, "@types/node": "^20" },
  };
  fs.writeFileSync(path.join(appDir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      exactOptionalPropertyTypes: true,
      noPropertyAccessFromIndexSignature: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: false,
      types: ["node"],
      rootDir: "src",
      outDir: "dist",
    },
    include: ["src"],
  };
  fs.writeFileSync(path.join(appDir, "tsconfig.json"), `${JSON.stringify(tsconfig, null, 2)}\n`);
  fs.writeFileSync(path.join(appDir, "src/server.ts"), HOST_APP);
  fs.writeFileSync(path.join(appDir, "src/type-checks.ts"), TYPE_CHECKS);
  // The control project: the same compiler options and third-party imports, without
  // @hybrid-auth/auth, to tell the package's type errors from its dependencies' own.
  fs.mkdirSync(path.join(appDir, "control"));
  fs.writeFileSync(path.join(appDir, "control/control.ts"), CONTROL);
  const control = {
    extends: "./tsconfig.json",
    compilerOptions: { noEmit: true, rootDir: "control" },
    include: ["control"],
  };
  fs.writeFileSync(
    path.join(appDir, "tsconfig.control.json"),
    `${JSON.stringify(control, null, 2)}\n`,
  );
}

// The host app a developer would write. Keep it at most MAX_HOST_LINES lines of code.
const HOST_APP = `import { PGlite } from "@electric-sql/pglite";
import { serve } from "@hono/node-server";
import { createAuth, migrateAuth, securityEvents } from "@hybrid-auth/auth";
import { createProblemErrorHandler } from "@hybrid-auth/auth";
import { drizzle } from "drizzle-orm/pglite";
import { Hono } from "hono";

const db = drizzle(new PGlite()); // in memory
const options = { db, secret: process.env["AUTH_SECRET"] ?? "", plugins: [securityEvents()] };
await migrateAuth(options);
const auth = await createAuth({ ...options, secureCookies: false }); // plain http in this test

const app = new Hono().onError(createProblemErrorHandler()).route("/api/auth", auth.routes);
// Protected: after requireAuth, c.get("auth") is typed non-null.
const { middleware, requireAuth } = auth;
app.get("/api/notes", middleware, requireAuth, (c) => c.json({ owner: c.get("auth").userId }));

serve({ fetch: app.fetch, port: Number(process.env["PORT"]) });
`;

// Type-level checks of the public API (not part of the host app's line count): the state is
// non-null and not \`any\` after requireAuth, and nullable without it.
const TYPE_CHECKS = `import { Hono } from "hono";
import type { Auth, AuthState } from "@hybrid-auth/auth";

type IsAny<T> = 0 extends 1 & T ? true : false;

export function typeChecks(auth: Auth) {
  const app = new Hono();
  app.get("/signed-in", auth.middleware, auth.requireAuth, (c) => {
    const state = c.get("auth");
    const notAny: IsAny<typeof state> = false;
    const exact: AuthState = state;
    const userId: string = state.userId;
    return c.json({ notAny, userId, role: exact.role });
  });
  app.get("/maybe", auth.middleware, (c) => {
    // @ts-expect-error without requireAuth, c.get("auth") may be null
    return c.json({ id: c.get("auth").userId });
  });
  return app;
}
`;

const CONTROL = `import { PGlite } from "@electric-sql/pglite";
import { serve } from "@hono/node-server";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/pglite";
import { Hono } from "hono";

export const parts = [PGlite, serve, sql, drizzle, Hono];
`;

/** tsc --pretty false output: one entry per diagnostic, its continuation lines attached. */
function diagnostics(output) {
  const entries = [];
  for (const line of output.split("\n")) {
    if (/^\S.*\(\d+,\d+\): error TS\d+/.test(line) || /^error TS\d+/.test(line)) entries.push(line);
    else if (line.trim() && entries.length > 0) entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

const packageOf = (file) => file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];

function codeLines(source) {
  return source.split("\n").filter((line) => {
    const trimmed = line.trim();
    return trimmed !== "" && !trimmed.startsWith("//");
  });
}

/** No ancestor of the app may hold a node_modules Node could resolve from. */
function ancestorNodeModules(dir) {
  const found = [];
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    if (fs.existsSync(path.join(current, "node_modules")))
      found.push(path.join(current, "node_modules"));
    if (path.dirname(current) === current) break;
  }
  return found;
}

function install(appDir) {
  const result = run("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: appDir,
    env: cleanEnv(),
  });
  require_("npm install in the consumer app", result.ok, `${result.why}\n${tail(result.output)}`);
  console.log(`   ${tail(result.output, 3).split("\n").join("\n   ")}`);
  const installed = path.join(appDir, "node_modules/@hybrid-auth/auth");
  const real = fs.realpathSync(installed);
  require_(
    "@hybrid-auth/auth is a copy of the tarball inside the app, not a link to the workspace",
    !fs.lstatSync(installed).isSymbolicLink() && real.startsWith(fs.realpathSync(appDir)),
    `node_modules/@hybrid-auth/auth -> ${real}`,
  );
  const version = JSON.parse(fs.readFileSync(path.join(real, "package.json"), "utf8")).version;
  console.log(`   installed @hybrid-auth/auth@${version} at ${real}`);
  for (const name of ["hono", "drizzle-orm", "@electric-sql/pglite", "@hono/node-server"]) {
    const copies = [];
    const walk = (dir) => {
      const nested = path.join(dir, "node_modules", ...name.split("/"));
      if (fs.existsSync(nested)) copies.push(nested);
    };
    walk(appDir);
    walk(installed);
    check(
      `one copy of ${name} (shared with the package as a peer)`,
      copies.length === 1,
      copies.join("\n"),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Server

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Whether this machine can use `address` as a local (source) address: 127.0.0.2 on Linux. */
function canBind(address) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(0, address, () => probe.close(() => resolve(true)));
  });
}

async function startServer(appDir, port) {
  const secret = randomBytes(48).toString("base64");
  server = spawn(process.execPath, ["dist/server.js"], {
    cwd: appDir,
    env: cleanEnv({ PORT: String(port), AUTH_SECRET: secret }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout.on("data", (chunk) => (serverOutput += chunk));
  server.stderr.on("data", (chunk) => (serverOutput += chunk));
  let exited = false;
  server.once("exit", () => (exited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !exited) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/auth/session`);
      await response.arrayBuffer();
      return true;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  }
  return false;
}

async function stopServer() {
  if (!server || server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  server.kill("SIGTERM");
  const timer = setTimeout(() => server.kill("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------------------------
// 4. HTTP client with a cookie jar per device

class Device {
  /** @param {string} base @param {string | undefined} localAddress source address (127.0.0.x) */
  constructor(name, base, localAddress) {
    this.name = name;
    this.base = base;
    this.localAddress = localAddress;
    this.jar = new Map();
    this.lastSetCookies = [];
  }

  /** `only`: send just these cookies, and leave the jar as it is (a probe). */
  async request(method, url, body, extraHeaders = {}, { only } = {}) {
    const headers = {
      "User-Agent": `consumer-test/${this.name}`,
      "X-Forwarded-For": SPOOFED_IP,
      ...extraHeaders,
    };
    if (method !== "GET") headers["Origin"] = this.base;
    const sent = [...this.jar].filter(([name]) => !only || only.includes(name));
    if (sent.length > 0) {
      headers["Cookie"] = sent.map(([name, value]) => `${name}=${value}`).join("; ");
    }
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const response = this.localAddress
      ? await httpRequest(this.base + url, {
          method,
          headers,
          body: payload,
          localAddress: this.localAddress,
        })
      : await fetchRequest(this.base + url, { method, headers, body: payload });
    if (only) return response;
    this.lastSetCookies = response.setCookies;
    for (const line of response.setCookies) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a)) || value === "";
      if (expired) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return response;
  }

  setCookie(name) {
    return this.lastSetCookies.find((line) => line.startsWith(`${name}=`));
  }
}

async function fetchRequest(url, { method, headers, body }) {
  const response = await fetch(url, { method, headers, body, redirect: "manual" });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get("content-type") ?? "",
    retryAfter: response.headers.get("retry-after") ?? undefined,
    setCookies: response.headers.getSetCookie(),
    text,
    json: parseJson(text),
  };
}

/** fetch cannot choose its source address with built-ins alone; node:http can. */
function httpRequest(url, { method, headers, body, localAddress }) {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, headers, localAddress }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk) => (text += chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode,
          contentType: response.headers["content-type"] ?? "",
          retryAfter: response.headers["retry-after"],
          setCookies: response.headers["set-cookie"] ?? [],
          text,
          json: parseJson(text),
        }),
      );
    });
    request.on("error", reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const show = (response) => `status ${response.status}, body ${response.text.slice(0, 300)}`;
const isLoopback = (ip) => ip === "127.0.0.1" || ip === "::ffff:127.0.0.1";
const isHttpOnly = (line) => line !== undefined && /;\s*httponly\b/i.test(line);

// ---------------------------------------------------------------------------------------------
// 5. The scenario

async function scenario(base) {
  const unique = Date.now().toString(36);
  const laptop = new Device("laptop", base);
  const phone = new Device("phone", base);

  let r = await laptop.request("GET", "/api/notes");
  check(
    "GET /api/notes anonymous -> 401 application/problem+json",
    r.status === 401 && r.contentType.startsWith("application/problem+json"),
    `${show(r)}, content-type ${r.contentType}`,
  );

  const email = `owner-${unique}@example.com`;
  r = await laptop.request("POST", "/api/auth/register", {
    email,
    password: PASSWORD,
    name: "Owner",
  });
  check("POST /api/auth/register -> 201", r.status === 201, show(r));
  const userId = r.json?.user?.id;
  check("register returns the user's id", typeof userId === "string" && userId.length > 0, show(r));
  const access = laptop.setCookie("auth_access");
  const session = laptop.setCookie("auth_session");
  check(
    "register sets auth_access and auth_session, both HttpOnly",
    isHttpOnly(access) && isHttpOnly(session),
    `auth_access: ${access}\nauth_session: ${session}`,
  );

  r = await laptop.request("GET", "/api/notes");
  check(
    "GET /api/notes signed in -> 200 { owner: userId }",
    r.status === 200 && r.json?.owner === userId,
    show(r),
  );

  r = await phone.request("POST", "/api/auth/login", { email, password: PASSWORD });
  check("POST /api/auth/login from a second device -> 200", r.status === 200, show(r));
  check(
    "second device gets an access cookie",
    phone.jar.has("auth_access"),
    [...phone.jar.keys()].join(", "),
  );

  r = await laptop.request("GET", "/api/auth/sessions");
  const sessions = r.json?.sessions ?? [];
  check(
    "GET /api/auth/sessions -> 200 with 2 sessions",
    r.status === 200 && sessions.length === 2,
    show(r),
  );
  check(
    `every session's ip is the loopback peer, not the spoofed X-Forwarded-For ${SPOOFED_IP}`,
    sessions.length === 2 && sessions.every((s) => isLoopback(s.ip)),
    `ips: ${sessions.map((s) => s.ip).join(", ")}`,
  );
  console.log(`  info  session ips: ${sessions.map((s) => s.ip).join(", ")}`);

  r = await laptop.request("GET", "/api/auth/activity");
  const events = r.json?.events ?? [];
  const types = events.map((e) => e.type);
  check(
    "GET /api/auth/activity -> 200 with signed_up and signed_in events (securityEvents plugin)",
    r.status === 200 && types.includes("signed_up") && types.includes("signed_in"),
    show(r),
  );

  const accessOnly = { only: ["auth_access"] };
  r = await phone.request("GET", "/api/notes", undefined, {}, accessOnly);
  check(
    "second device, access cookie alone (no session cookie) -> 200 (the JWT hot path)",
    r.status === 200 && r.json?.owner === userId,
    show(r),
  );

  r = await laptop.request("POST", "/api/auth/logout-all");
  check("POST /api/auth/logout-all -> 204", r.status === 204, show(r));
  check("second device still holds its unexpired access cookie", phone.jar.has("auth_access"));
  r = await phone.request("GET", "/api/notes", undefined, {}, accessOnly);
  check(
    "second device, same unexpired access cookie alone -> 401 at once (JWT revoked)",
    r.status === 401,
    show(r),
  );
  r = await phone.request("GET", "/api/notes");
  check(
    "second device's GET /api/notes with both cookies -> 401 (instant revocation)",
    r.status === 401,
    show(r),
  );
  r = await laptop.request("GET", "/api/notes");
  check("first device's GET /api/notes -> 401 after logout-all", r.status === 401, show(r));

  // Limits need distinct client addresses; loopback 127.0.0.0/8 gives them on Linux.
  const canUseOthers = (await canBind("127.0.0.2")) && (await canBind("127.0.0.3"));
  if (!canUseOthers) {
    console.log(
      "  skip  sign-up and cool-down checks: 127.0.0.2/127.0.0.3 not usable as source addresses",
    );
    return;
  }

  // Sign-ups: DEFAULT_ABUSE_LIMITS.signUpsPerClient is 30 per 5 minutes per address.
  const signUpStatuses = [];
  for (let i = 0; i < 11; i++) {
    const device = new Device(`signup-${i}`, base, "127.0.0.3");
    const res = await device.request("POST", "/api/auth/register", {
      email: `burst-${i}-${unique}@example.com`,
      password: PASSWORD,
    });
    signUpStatuses.push(res.status);
  }
  check(
    "11 sign-ups in a row from one address (127.0.0.3) all succeed (the old site-wide 11th-sign-up 429 is gone)",
    signUpStatuses.every((status) => status === 201),
    `statuses: ${signUpStatuses.join(", ")}`,
  );

  // Cool-down: failure streaks are keyed by account *and* client address (abuse-limits.ts).
  const victimEmail = `victim-${unique}@example.com`;
  const owner = new Device("owner", base); // 127.0.0.1
  r = await owner.request("POST", "/api/auth/register", { email: victimEmail, password: PASSWORD });
  check(
    "sign-up from 127.0.0.1 still succeeds after 127.0.0.3 used its sign-ups (per-address buckets)",
    r.status === 201,
    show(r),
  );
  await owner.request("POST", "/api/auth/logout");

  const attacker = new Device("attacker", base, "127.0.0.2");
  const wrong = [];
  for (let i = 0; i < 5; i++) {
    const res = await attacker.request("POST", "/api/auth/login", {
      email: victimEmail,
      password: `wrong-guess-${i}-x`,
    });
    wrong.push(res.status);
  }
  check(
    "5 wrong passwords from 127.0.0.2 -> 401 each",
    wrong.every((status) => status === 401),
    `statuses: ${wrong.join(", ")}`,
  );
  r = await attacker.request("POST", "/api/auth/login", { email: victimEmail, password: PASSWORD });
  check(
    "127.0.0.2 is then cooled down, even with the right password -> 429 + Retry-After",
    r.status === 429 && Number(r.retryAfter) > 0,
    `${show(r)}, Retry-After ${r.retryAfter}`,
  );
  const ownerPhone = new Device("owner-phone", base); // another device at 127.0.0.1
  r = await ownerPhone.request("POST", "/api/auth/login", {
    email: victimEmail,
    password: PASSWORD,
  });
  check(
    "the owner signs in from a different device/address (127.0.0.1) -> 200",
    r.status === 200,
    show(r),
  );
}

async function typeCheck(appDir) {
  const tsc = path.join(appDir, "node_modules/typescript/bin/tsc");
  const options = { cwd: appDir, env: cleanEnv() };
  const [host, control] = await Promise.all([
    runAsync(process.execPath, [tsc, "-p", ".", "--pretty", "false"], options),
    runAsync(process.execPath, [tsc, "-p", "tsconfig.control.json", "--pretty", "false"], options),
  ]);
  const hostErrors = diagnostics(host.output);
  const baseline = new Set(diagnostics(control.output));
  const own = hostErrors.filter((e) => e.startsWith("src/"));
  const inPackage = hostErrors.filter((e) => e.includes("node_modules/@hybrid-auth/auth/"));
  const upstream = hostErrors.filter((e) => !own.includes(e) && !inPackage.includes(e));
  const pulledIn = upstream.filter((e) => !baseline.has(e));
  const known = upstream.filter((e) => baseline.has(e));
  if (host.ok) {
    check("tsc -p . passes with zero errors", true);
  } else if (hostErrors.length === 0) {
    check("tsc -p . runs", false, host.output || host.why);
  }
  check(
    "no type errors in the host app (src/server.ts, src/type-checks.ts)",
    own.length === 0,
    own.join("\n"),
  );
  check(
    "no type errors in @hybrid-auth/auth's declarations",
    inPackage.length === 0,
    inPackage.join("\n"),
  );
  check(
    "no third-party type errors pulled in by @hybrid-auth/auth's types",
    pulledIn.length === 0,
    pulledIn.join("\n"),
  );
  if (known.length > 0) {
    const counts = {};
    for (const e of known) counts[packageOf(e) ?? "?"] = (counts[packageOf(e) ?? "?"] ?? 0) + 1;
    const summary = Object.entries(counts)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ");
    console.log(
      `  info  ${known.length} errors in third-party declarations (${summary}) that tsc reports\n` +
        `        just as well for a control file importing only those packages, without\n` +
        `        @hybrid-auth/auth (see tsconfig.control.json); upstream, not the package's.`,
    );
    for (const e of known.slice(0, 3)) console.log(`        e.g. ${e.split("\n")[0]}`);
    if (process.env.CONSUMER_STRICT_LIB_CHECK === "1") {
      check("zero third-party type errors (CONSUMER_STRICT_LIB_CHECK=1)", false, known.join("\n"));
    }
  }
  require_("tsc emitted dist/server.js", fs.existsSync(path.join(appDir, "dist/server.js")));
}

// ---------------------------------------------------------------------------------------------
// Main

async function cleanup() {
  for (const child of children) child.kill("SIGTERM");
  await stopServer().catch(() => {});
  if (!workDir) return;
  if (keep) console.log(`\n   KEEP_CONSUMER=1: kept ${workDir}`);
  else fs.rmSync(workDir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    console.log(`\n${signal}: cleaning up`);
    await cleanup();
    process.exit(130);
  });
}

async function main() {
  const tmp = fs.realpathSync(os.tmpdir());
  require_(
    "os.tmpdir() is outside the workspace",
    !tmp.startsWith(fs.realpathSync(repoRoot) + path.sep),
    `${tmp} is inside ${repoRoot}`,
  );
  workDir = fs.mkdtempSync(path.join(tmp, "hybrid-auth-consumer-"));
  const packDir = path.join(workDir, "pack");
  const appDir = path.join(workDir, "app");
  fs.mkdirSync(packDir);
  console.log(`consumer test in ${workDir}`);

  const { tarball } = await step("build and pack", () => buildAndPack(packDir));

  await step("create the consumer app", () => {
    createApp(appDir, tarball);
    const lines = codeLines(HOST_APP);
    console.log(`\n   src/server.ts (${lines.length} lines of code):`);
    for (const line of HOST_APP.trimEnd().split("\n")) console.log(`   | ${line}`);
    check(
      `host app is at most ${MAX_HOST_LINES} lines of code (${lines.length})`,
      lines.length <= MAX_HOST_LINES,
    );
    const strays = ancestorNodeModules(appDir);
    require_(
      "no node_modules above the app dir to resolve from",
      strays.length === 0,
      strays.join("\n"),
    );
  });

  await step("npm install", () => install(appDir));

  await step("tsc -p . (strict, exactOptionalPropertyTypes, skipLibCheck: false)", () =>
    typeCheck(appDir),
  );

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await step(`start node dist/server.js on port ${port}`, async () => {
    const up = await startServer(appDir, port);
    require_("server answers", up, `server output:\n${tail(serverOutput)}`);
  });

  await step("HTTP scenario", () => scenario(base));
}

let exitCode = 0;
try {
  await main();
} catch (error) {
  if (!(error instanceof Fatal)) {
    failed++;
    console.log(`  FAIL  unexpected error: ${error?.stack ?? error}`);
  }
}
if (failed > 0 && serverOutput.trim()) console.log(`\n   server output:\n${tail(serverOutput)}`);
await cleanup();
console.log(`\n   total: ${seconds(Date.now() - started)}`);
if (failed > 0) exitCode = 1;
console.log(`consumer: ${passed} passed, ${failed} failed`);
// CI sums every runner's report into one line (.ci/summarize.mjs).
if (process.env.CONSUMER_REPORT) {
  fs.writeFileSync(process.env.CONSUMER_REPORT, JSON.stringify({ kind: "checks", passed, failed }));
}
process.exit(exitCode);
