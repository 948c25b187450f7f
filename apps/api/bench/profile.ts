/**
 * `pnpm bench:profile`: where the hot path's extra cost goes, function by function.
 *
 * Runs the floor (`floor-server.ts`: plain Hono answering the hot path's JSON with the same
 * security headers) and the production server twice on the same data — once loaded with
 * `GET /api/health`, once with `GET /api/auth/session` (hot path, SESSIONS distinct sessions) —
 * each under `node --cpu-prof`, divides each function's self time by the requests served, and
 * prints what the hot path and the bare route cost above the floor, by place (package, file of
 * ours, Node's internals) and by function, largest first, in µs of server CPU per request.
 * docs/decisions/004 shows how it is read.
 *
 * Options: --sessions=300 --seconds=10 --top=25. PostgreSQL as in `pnpm bench`
 * (BENCH_DATABASE_URL, TEST_DATABASE_URL, DATABASE_URL, or the local server); embedded
 * PGlite when it is not reachable.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { compileFloor } from "./compiled-floor.js";
import { perRequestSelfTimes, readProfile } from "./cpu-profile.js";
import { runLoad } from "./load.js";
import { createScratchDatabase, reachable } from "./postgres.js";
import { startBenchMailSink } from "./mail-sink.js";
import { startServer } from "./server-process.js";
import { benchPostgresUrl, flag, signUpMany } from "./setup.js";

const SESSIONS = Number(flag("sessions", "300"));
const SECONDS = Number(flag("seconds", "10"));
const TOP = Number(flag("top", "25"));
const SERVER_ENV = { AUTH_SIGN_UPS_PER_CLIENT: "100000000" };
const VARIANTS = ["floor", "bare", "hot"] as const;
type Variant = (typeof VARIANTS)[number];

async function main(): Promise<void> {
  const usePostgres = await reachable(benchPostgresUrl);
  const database = usePostgres
    ? await createScratchDatabase(benchPostgresUrl, "profile")
    : undefined;
  const dataDir = mkdtempSync(join(os.tmpdir(), "bench-profile-"));
  // The sign-ups' mail is delivered before anything is profiled (bench/mail-sink.ts).
  const mail = await startBenchMailSink();
  const env = {
    ...SERVER_ENV,
    ...mail.env,
    ...(database ? { DATABASE_URL: database.url } : {}),
  };
  try {
    const setup = await startServer(env, { dataDir });
    console.log(`signing up ${SESSIONS} users (${usePostgres ? "PostgreSQL" : "PGlite"})…`);
    const cookies = (await signUpMany(setup.url, SESSIONS, "profile")).map(
      (pair) => `${pair.access}; ${pair.session}`,
    );
    await mail.delivered(SESSIONS);
    await setup.stop();

    // The floor (issue 19): a plain Hono app answering the hot path's very JSON.
    const probe = await startServer(env, { dataDir });
    const hotBody = await (
      await fetch(`${probe.url}/api/auth/session`, { headers: { Cookie: cookies[0]! } })
    ).text();
    await probe.stop();

    const profiles = {} as Record<Variant, Map<string, number>>;
    for (const variant of VARIANTS) {
      const profileDir = mkdtempSync(join(os.tmpdir(), `bench-cpuprof-${variant}-`));
      const nodeArgs = ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
      const server =
        variant === "floor"
          ? await startServer({ FLOOR_BODY: hotBody }, { script: compileFloor(), nodeArgs })
          : await startServer(env, { dataDir, nodeArgs });
      const path = variant === "bare" ? "/api/health" : "/api/auth/session";
      const load = { url: `${server.url}${path}`, connections: 50 };
      const withCookies = variant === "bare" ? {} : { cookies };
      await runLoad({ ...load, seconds: 2, ...withCookies });
      const sample = await runLoad({ ...load, seconds: SECONDS, ...withCookies });
      await server.stop();
      console.log(`${variant}: ${sample.rps.toFixed(0)} req/s under the profiler`);
      // The main thread's profile is thread 0 (`CPU.<date>.<time>.<pid>.0.<seq>.cpuprofile`);
      // the others are tsx's loader threads, sampled as long and as often.
      const main = readdirSync(profileDir).find((file) => /\.\d+\.0\.\d+\.cpuprofile$/.test(file));
      if (!main) throw new Error(`no main-thread profile in ${profileDir}`);
      const profile = readProfile(join(profileDir, main));
      // The last SECONDS of the profile, less the shutdown: the measured run only.
      profiles[variant] = perRequestSelfTimes(profile, {
        windowSeconds: SECONDS - 0.5,
        skipLastSeconds: 0.3,
        requestsPerSecond: sample.rps,
      });
      rmSync(profileDir, { recursive: true, force: true });
    }
    report(profiles);
  } finally {
    await mail.stop();
    await database?.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const busy = (times: Map<string, number>) =>
  [...times].filter(([name]) => !name.startsWith("(idle)")).reduce((sum, [, t]) => sum + t, 0);

/** Self time summed by where the code lives: a package, or a file of ours, or Node's internals. */
function byPlace(times: Map<string, number>): Map<string, number> {
  const places = new Map<string, number>();
  for (const [name, time] of times) {
    const where = name.split(" ")[1] ?? "";
    const place = where.includes("@")
      ? where.replace(/\/.*/, "")
      : where.startsWith("node:")
        ? where.replace(/:\d+$/, "")
        : where.replace(/:\d+$/, "") || name;
    places.set(place, (places.get(place) ?? 0) + time);
  }
  return places;
}

function table(
  title: string,
  hot: Map<string, number>,
  bare: Map<string, number>,
  floor: Map<string, number>,
): void {
  console.log(`\n${title}`);
  console.log(
    `${"hot − floor".padStart(11)} ${"bare − floor".padStart(12)} ${"hot".padStart(7)} ${"bare".padStart(7)} ${"floor".padStart(7)}  where`,
  );
  const names = new Set([...hot.keys(), ...bare.keys(), ...floor.keys()]);
  const rows = [...names]
    .filter((name) => !name.startsWith("(idle)"))
    .map((name) => ({
      name,
      hot: hot.get(name) ?? 0,
      bare: bare.get(name) ?? 0,
      floor: floor.get(name) ?? 0,
    }))
    .sort((a, b) => Math.abs(b.hot - b.floor) - Math.abs(a.hot - a.floor))
    .slice(0, TOP);
  for (const row of rows) {
    console.log(
      `${(row.hot - row.floor).toFixed(2).padStart(11)} ${(row.bare - row.floor).toFixed(2).padStart(12)} ${row.hot.toFixed(2).padStart(7)} ${row.bare.toFixed(2).padStart(7)} ${row.floor.toFixed(2).padStart(7)}  ${row.name}`,
    );
  }
}

function report({ floor, bare, hot }: Record<Variant, Map<string, number>>): void {
  console.log(
    `\nserver CPU per request (µs, not idle): floor ${busy(floor).toFixed(1)}, bare ${busy(bare).toFixed(1)}, hot ${busy(hot).toFixed(1)}` +
      ` → bare/floor ${(busy(floor) / busy(bare)).toFixed(2)}, hot/floor ${(busy(floor) / busy(hot)).toFixed(2)}, hot/bare ${(busy(bare) / busy(hot)).toFixed(2)}`,
  );
  table(
    "by place (package, file of ours, or node internals), µs per request",
    byPlace(hot),
    byPlace(bare),
    byPlace(floor),
  );
  table("by function, µs per request", hot, bare, floor);
}

await main();
