/**
 * `pnpm bench:profile`: where the hot path's extra cost goes, function by function.
 *
 * Runs the production server under `node --cpu-prof` twice on the same data — once loaded with
 * `GET /api/health`, once with `GET /api/auth/session` (hot path, SESSIONS distinct sessions)
 * — then divides each function's self time by the requests served and prints the difference,
 * largest first, in µs of server CPU per request. docs/decisions/004 shows how it is read.
 *
 * Options: --sessions=300 --seconds=10 --top=25. PostgreSQL as in `pnpm bench`
 * (BENCH_DATABASE_URL, TEST_DATABASE_URL, DATABASE_URL, or the local server); embedded
 * PGlite when it is not reachable.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { perRequestSelfTimes, readProfile } from "./cpu-profile.js";
import { runLoad } from "./load.js";
import { createScratchDatabase, reachable } from "./postgres.js";
import { startServer } from "./server-process.js";
import { benchPostgresUrl, flag, signUpMany } from "./setup.js";

const SESSIONS = Number(flag("sessions", "300"));
const SECONDS = Number(flag("seconds", "10"));
const TOP = Number(flag("top", "25"));
const SERVER_ENV = { AUTH_SIGN_UPS_PER_CLIENT: "100000000" };

async function main(): Promise<void> {
  const usePostgres = await reachable(benchPostgresUrl);
  const database = usePostgres
    ? await createScratchDatabase(benchPostgresUrl, "profile")
    : undefined;
  const dataDir = mkdtempSync(join(os.tmpdir(), "bench-profile-"));
  const env = { ...SERVER_ENV, ...(database ? { DATABASE_URL: database.url } : {}) };
  try {
    const setup = await startServer(env, { dataDir });
    console.log(`signing up ${SESSIONS} users (${usePostgres ? "PostgreSQL" : "PGlite"})…`);
    const cookies = (await signUpMany(setup.url, SESSIONS, "profile")).map(
      (pair) => `${pair.access}; ${pair.session}`,
    );
    await setup.stop();

    const profiles: Record<"bare" | "hot", Map<string, number>> = {
      bare: new Map(),
      hot: new Map(),
    };
    for (const variant of ["bare", "hot"] as const) {
      const profileDir = mkdtempSync(join(os.tmpdir(), `bench-cpuprof-${variant}-`));
      const server = await startServer(env, {
        dataDir,
        nodeArgs: ["--cpu-prof", `--cpu-prof-dir=${profileDir}`],
      });
      const path = variant === "bare" ? "/api/health" : "/api/auth/session";
      const load = { url: `${server.url}${path}`, connections: 50 };
      await runLoad({ ...load, seconds: 2, ...(variant === "hot" ? { cookies } : {}) });
      const sample = await runLoad({
        ...load,
        seconds: SECONDS,
        ...(variant === "hot" ? { cookies } : {}),
      });
      await server.stop();
      console.log(`${variant}: ${sample.rps.toFixed(0)} req/s under the profiler`);
      // The main thread's profile is the largest; the others are tsx's loader threads.
      const files = readdirSync(profileDir).map((file) => join(profileDir, file));
      const profile = files
        .map((file) => readProfile(file))
        .sort((a, b) => b.samples.length - a.samples.length)[0]!;
      // The last SECONDS of the profile, less the shutdown: the measured run only.
      profiles[variant] = perRequestSelfTimes(profile, {
        windowSeconds: SECONDS - 0.5,
        skipLastSeconds: 0.3,
        requestsPerSecond: sample.rps,
      });
      rmSync(profileDir, { recursive: true, force: true });
    }
    report(profiles.hot, profiles.bare);
  } finally {
    await database?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(hot: Map<string, number>, bare: Map<string, number>): void {
  const busy = (times: Map<string, number>) =>
    [...times].filter(([name]) => !name.startsWith("(idle)")).reduce((sum, [, t]) => sum + t, 0);
  console.log(
    `\nserver CPU per request (µs, not idle): hot ${busy(hot).toFixed(1)}, bare ${busy(bare).toFixed(1)} → hot/bare by CPU ${(busy(bare) / busy(hot)).toFixed(2)}`,
  );
  console.log(
    `\n${"hot − bare".padStart(10)} ${"hot".padStart(7)} ${"bare".padStart(7)}  function`,
  );
  const names = new Set([...hot.keys(), ...bare.keys()]);
  const rows = [...names]
    .map((name) => ({ name, hot: hot.get(name) ?? 0, bare: bare.get(name) ?? 0 }))
    .sort((a, b) => Math.abs(b.hot - b.bare) - Math.abs(a.hot - a.bare))
    .slice(0, TOP);
  for (const row of rows) {
    console.log(
      `${(row.hot - row.bare).toFixed(2).padStart(10)} ${row.hot.toFixed(2).padStart(7)} ${row.bare.toFixed(2).padStart(7)}  ${row.name}`,
    );
  }
}

await main();
