import { spawnSync } from "node:child_process";
import os from "node:os";
import { runLoad } from "./load.js";
import type { RunningServer } from "./server-process.js";

/** Fixed-rate latency probe of the hot path, idle and during the sign-in flood. */
export const PROBE = { rate: 1000, connections: 10, seconds: 6 };
export const FLOOD_CONNECTIONS = 16;

export type FloodResult = {
  /** CPUs the server ran on: all (its event loop on CPU 0), or the one it was confined to. */
  serverCpus: string;
  idleP50: number;
  idleP99: number;
  floodP50: number;
  floodP99: number;
  /** floodP99 ÷ idleP99 (autocannon reports whole milliseconds; 1 ms at least). */
  ratio: number;
  signInsPerSecond: number;
  signInNon2xx: number;
  hotNon2xx: number;
};

/**
 * The hot path's latency at a fixed, moderate rate, idle and then while `FLOOD_CONNECTIONS`
 * connections send valid sign-ins as fast as they can (argon2 busy all the time). The load
 * generators run on CPUs 1… (where `taskset` can pin them), so CPU 0 is always free of them,
 * and the server's main thread (its event loop) runs on CPU 0 (`taskset -p`, that thread
 * only): left free to move, the scheduler put it beside the load generators from time to time
 * and the probe measured them (all cores 1.4–2.5× against 1.0–1.5× pinned, 3 rounds each). Its
 * other threads (hashing, libuv's pool, the garbage collector's helpers) use every CPU.
 * With `oneCore`, all the server's threads are confined to CPU 0 (`taskset -a -p`): the
 * 1-vCPU container case, where hashing and the event loop compete for the same core.
 */
export async function hotPathUnderFlood(options: {
  server: RunningServer;
  cookies: readonly string[];
  login: { email: string; password: string };
  oneCore: boolean;
}): Promise<FloodResult | undefined> {
  const { server, cookies, login } = options;
  const cores = os.availableParallelism();
  const confine = options.oneCore;
  if (confine && !setAffinity(server, "0")) return undefined;
  if (!confine) pinMainThread(server, "0");
  // The load generators stay off CPU 0 in both cases: a flood client hogging the core the
  // event loop runs on would measure the client, not the server.
  const loadCpus = canPin() ? (cores === 2 ? "1" : `1-${cores - 1}`) : undefined;
  try {
    const probe = () =>
      runLoad({
        url: `${server.url}/api/auth/session`,
        cookies,
        connections: PROBE.connections,
        seconds: PROBE.seconds,
        overallRate: PROBE.rate,
        cpus: loadCpus,
      });
    const idle = await probe();
    const [flooded, signIns] = await Promise.all([
      probe(),
      runLoad({
        url: `${server.url}/api/auth/login`,
        method: "POST",
        body: JSON.stringify(login),
        connections: FLOOD_CONNECTIONS,
        seconds: PROBE.seconds,
        cpus: loadCpus,
      }),
    ]);
    return {
      serverCpus: confine ? "0" : "all, event loop on 0",
      idleP50: idle.p50,
      idleP99: idle.p99,
      floodP50: flooded.p50,
      floodP99: flooded.p99,
      ratio: flooded.p99 / Math.max(idle.p99, 1),
      signInsPerSecond: signIns.rps,
      signInNon2xx: signIns.non2xx,
      hotNon2xx: idle.non2xx + flooded.non2xx,
    };
  } finally {
    setAffinity(server, `0-${cores - 1}`);
  }
}

/** Linux with `taskset` (util-linux) and 2 CPUs or more. */
function canPin(): boolean {
  return (
    process.platform === "linux" &&
    os.availableParallelism() >= 2 &&
    spawnSync("taskset", ["-c", "0", "true"]).status === 0
  );
}

/** Confines a running server's main thread only to `cpus` (`taskset -p`); false where it cannot. */
function pinMainThread(server: RunningServer, cpus: string): boolean {
  const pid = server.process.pid;
  if (!canPin() || pid === undefined) return false;
  return spawnSync("taskset", ["-p", "-c", cpus, String(pid)]).status === 0;
}

/** Confines a running server's threads to `cpus` (`taskset -a -p`); false where it cannot. */
export function setAffinity(server: RunningServer, cpus: string): boolean {
  const pid = server.process.pid;
  if (!canPin() || pid === undefined) return false;
  return spawnSync("taskset", ["-a", "-p", "-c", cpus, String(pid)]).status === 0;
}
