// The e2e web server, started the way the README tells a newcomer to make the first
// administrator: start the app, sign up, stop it, `pnpm auth:set-role <email> admin`, start it
// again. Runs from the repository root with the server's environment; stays in the foreground
// with the final server and passes SIGTERM/SIGINT on to it. `pnpm start` is its two steps
// (build, then node): the server runs as our own child, so a SIGTERM reaches it and not only
// pnpm, which would leave it running and holding the database.
import { spawn } from "node:child_process";

const email = process.env.E2E_ADMIN_EMAIL;
const password = process.env.E2E_ADMIN_PASSWORD;
// The first start listens elsewhere: Playwright waits for PORT, and must find the final server.
const seedPort = Number(process.env.PORT) + 2;
const base = `http://127.0.0.1:${seedPort}`;
if (!email || !password || !process.env.PORT) {
  console.error("serve-with-admin: E2E_ADMIN_EMAIL, E2E_ADMIN_PASSWORD and PORT are required");
  process.exit(2);
}

const spawnInherit = (command, args, env = process.env) =>
  spawn(command, args, { stdio: ["ignore", "inherit", "inherit"], env });
const run = (args) => spawnInherit("pnpm", args);
const startServer = (env) => spawnInherit(process.execPath, ["apps/api/dist/index.js"], env);
const exited = (child) =>
  new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));

async function waitForHealth(server) {
  let stopped = false;
  void exited(server).then(() => (stopped = true));
  for (let i = 0; i < 600; i += 1) {
    if (stopped) throw new Error("the server stopped before it was healthy");
    try {
      if ((await fetch(`${base}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the server did not become healthy");
}

// 1. Start the app and sign the administrator-to-be up, as anyone would.
if ((await exited(spawnInherit(process.execPath, ["scripts/build.mjs"]))) !== 0) process.exit(1);
const first = startServer({ ...process.env, PORT: String(seedPort) });
await waitForHealth(first);
const response = await fetch(`${base}/api/auth/register`, {
  method: "POST",
  headers: { "Content-Type": "application/json", Origin: base },
  body: JSON.stringify({ email, password }),
});
if (response.status !== 201) {
  console.error(`serve-with-admin: sign-up answered ${response.status}: ${await response.text()}`);
  process.exit(1);
}
// 2. Stop it: the embedded database belongs to one process.
first.kill("SIGTERM");
await exited(first);
// 3. Make them an administrator.
const setRole = run(["--silent", "auth:set-role", email, "admin"]);
const code = await exited(setRole);
if (code !== 0) {
  console.error(`serve-with-admin: pnpm auth:set-role exited with ${code}`);
  process.exit(1);
}
// 4. Serve, until Playwright stops us.
const server = startServer();
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.kill(signal));
const end = await exited(server);
process.exit(typeof end === "number" ? end : 0);
