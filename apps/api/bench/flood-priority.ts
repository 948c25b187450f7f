/**
 * `pnpm bench:flood` — the one-core sign-in flood for each priority of argon2's threads
 * (`AUTH_HASH_THREAD_NICE`, decision 008), and the harm a low priority can do: sign-ins
 * starved while the event loop keeps the only core busy.
 *
 * For every nice value in `--nice` (default 0,5,10), one production server on the same
 * PostgreSQL data, and `--repeats` rounds, the values' order alternating round by round:
 *  1. the hot path's p99 at 1 000 req/s idle, then during a flood of valid sign-ins from 16
 *     connections, with the server confined to CPU 0 and the load generators on CPU 1
 *     (flood.ts, the same probe `pnpm bench` runs); the goal is flood p99 ≤ 3 × idle;
 *  2. the same probe with the server on every CPU (its event loop kept on CPU 0, away from the
 *     load generators: flood.ts), the machine as it is;
 *  3. starvation: the hot path at full speed (50 connections, no rate) while one client signs
 *     in again and again, one at a time — how many sign-ins get through and how long each
 *     takes, when the event loop wants the whole core.
 *
 * Options: --nice=0,5,10 --repeats=3 --sessions=200 --seconds=8. Prints a table; writes
 * nothing. PostgreSQL: as `pnpm bench` (BENCH_DATABASE_URL, …).
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { hotPathUnderFlood, setAffinity, type FloodResult } from "./flood.js";
import { median, runLoad } from "./load.js";
import { createScratchDatabase } from "./postgres.js";
import { startBenchMailSink } from "./mail-sink.js";
import { startServer, type RunningServer } from "./server-process.js";
import { BENCH_PASSWORD, BENCH_SERVER_ENV, benchPostgresUrl, flag, signUpMany } from "./setup.js";

const NICE_VALUES = flag("nice", "0,5,10").split(",").map(Number);
const REPEATS = Number(flag("repeats", "3"));
const SESSIONS = Number(flag("sessions", "200"));
const SECONDS = Number(flag("seconds", "8"));

const SERVER_ENV = BENCH_SERVER_ENV;

type Starvation = { signIns: number; p50Ms: number; maxMs: number; hotRps: number };

/** Sign-ins one after the other while 50 connections keep the one core's event loop busy. */
async function starvation(
  server: RunningServer,
  cookies: readonly string[],
  login: { email: string; password: string },
): Promise<Starvation> {
  const flood = runLoad({
    url: `${server.url}/api/auth/session`,
    cookies,
    connections: 50,
    seconds: SECONDS,
    cpus: "1",
  });
  const times: number[] = [];
  const started = performance.now();
  // Give the load generator a second to start, then sign in until it stops.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  while (performance.now() - started < (SECONDS - 0.5) * 1000) {
    const begin = performance.now();
    const response = await fetch(`${server.url}/api/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(login),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`sign-in: ${response.status}`);
    times.push(performance.now() - begin);
  }
  const hot = await flood;
  return {
    signIns: times.length,
    p50Ms: median(times),
    maxMs: Math.max(...times),
    hotRps: hot.rps,
  };
}

async function main(): Promise<void> {
  const database = await createScratchDatabase(benchPostgresUrl, "flood");
  // The sign-ups' mail is delivered before anything is measured (bench/mail-sink.ts).
  const mail = await startBenchMailSink();
  const servers = new Map<number, RunningServer>();
  try {
    for (const nice of NICE_VALUES) {
      servers.set(
        nice,
        await startServer({
          ...SERVER_ENV,
          ...mail.env,
          DATABASE_URL: database.url,
          AUTH_HASH_THREAD_NICE: String(nice),
        }),
      );
    }
    const first = servers.get(NICE_VALUES[0]!)!;
    console.log(`signing up ${SESSIONS} users…`);
    const sessions = await signUpMany(first.url, SESSIONS, "flood");
    await mail.delivered(SESSIONS);
    const cookies = sessions.map((c) => `${c.access}; ${c.session}`);
    const login = { email: "bench-flood-0@example.test", password: BENCH_PASSWORD };

    const floods = new Map<number, FloodResult[]>(NICE_VALUES.map((nice) => [nice, []]));
    const allCores = new Map<number, FloodResult[]>(NICE_VALUES.map((nice) => [nice, []]));
    const starved = new Map<number, Starvation[]>(NICE_VALUES.map((nice) => [nice, []]));
    for (let round = 0; round < REPEATS; round += 1) {
      const order = round % 2 === 0 ? NICE_VALUES : [...NICE_VALUES].reverse();
      for (const nice of order) {
        const server = servers.get(nice)!;
        const flood = await hotPathUnderFlood({ server, cookies, login, oneCore: true });
        if (!flood) throw new Error("cannot confine the server to one CPU (taskset, 2+ CPUs)");
        floods.get(nice)!.push(flood);
        console.log(
          `round ${round + 1} nice ${nice}: one core, hot p99 ${flood.idleP99} → ${flood.floodP99} ms` +
            ` (${flood.ratio.toFixed(2)}×), ${flood.signInsPerSecond.toFixed(0)} sign-ins/s` +
            ` (non-2xx ${flood.signInNon2xx})`,
        );
      }
      for (const nice of order) {
        const flood = await hotPathUnderFlood({
          server: servers.get(nice)!,
          cookies,
          login,
          oneCore: false,
        });
        allCores.get(nice)!.push(flood!);
        console.log(
          `round ${round + 1} nice ${nice}: all cores, hot p99 ${flood!.idleP99} → ${flood!.floodP99} ms` +
            ` (${flood!.ratio.toFixed(2)}×), ${flood!.signInsPerSecond.toFixed(0)} sign-ins/s`,
        );
      }
      for (const nice of order) {
        const server = servers.get(nice)!;
        const release = confine(server, "0");
        try {
          const result = await starvation(server, cookies, login);
          starved.get(nice)!.push(result);
          console.log(
            `round ${round + 1} nice ${nice}: saturated core, ${result.signIns} sign-ins in` +
              ` ${SECONDS - 1.5} s, p50 ${result.p50Ms.toFixed(0)} ms, max ${result.maxMs.toFixed(0)} ms` +
              ` (hot path ${result.hotRps.toFixed(0)} req/s)`,
          );
        } finally {
          release();
        }
      }
    }

    console.log(
      "\nnice | one-core flood p99 ratio (median, all) | sign-ins/s | all cores: p99 ratio (median, all) | saturated: sign-ins, p50 / max ms",
    );
    for (const nice of NICE_VALUES) {
      const f = floods.get(nice)!;
      const s = starved.get(nice)!;
      const a = allCores.get(nice)!;
      console.log(
        `${String(nice).padStart(4)} | ${median(f.map((r) => r.ratio)).toFixed(2)}× (${f.map((r) => `${r.idleP99}→${r.floodP99}`).join(", ")})` +
          ` | ${median(f.map((r) => r.signInsPerSecond)).toFixed(0)}` +
          ` | ${median(a.map((r) => r.ratio)).toFixed(2)}× (${a.map((r) => `${r.idleP99}→${r.floodP99}`).join(", ")})` +
          ` | ${median(s.map((r) => r.signIns))}, ${median(s.map((r) => r.p50Ms)).toFixed(0)} / ${Math.max(...s.map((r) => r.maxMs)).toFixed(0)}`,
      );
    }
  } finally {
    for (const server of servers.values()) await server.stop();
    await mail.stop();
    await database.drop();
  }
}

/** Confines a running server's threads to `cpus`; the returned function undoes it. */
function confine(server: RunningServer, cpus: string): () => void {
  if (!setAffinity(server, cpus)) throw new Error("cannot confine the server (taskset, 2+ CPUs)");
  return () => setAffinity(server, `0-${os.availableParallelism() - 1}`);
}

await main();
