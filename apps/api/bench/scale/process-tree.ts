/**
 * CPU time and memory of a process and its children, from Linux /proc: a node:cluster server
 * serves from worker processes that `RunningServer.cpuSeconds()` (the primary alone) does not
 * see. The kernel adds a child's CPU time to its parent only once the child has exited and been
 * waited for, so live workers are read one by one.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

type Stat = { ppid: number; cpuTicks: number };

function readStat(pid: number): Stat | undefined {
  try {
    // The command name (field 2) may hold spaces; everything after ") " splits cleanly.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return { ppid: Number(fields[1]), cpuTicks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** Pids whose parent is `pid` (a scan of /proc: no dependency on CONFIG_PROC_CHILDREN). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    if (readStat(Number(entry))?.ppid === pid) children.push(Number(entry));
  }
  return children;
}

/**
 * CPU seconds (user + system) used so far by `pid` and its direct children.
 *
 * @example
 * const before = treeCpuSeconds(server.process.pid!);
 * await runLoad({ url, connections: 50, seconds: 3 });
 * const cpu = treeCpuSeconds(server.process.pid!) - before;
 */
export function treeCpuSeconds(pid: number): number {
  let ticks = readStat(pid)?.cpuTicks ?? 0;
  for (const child of childPids(pid)) ticks += readStat(child)?.cpuTicks ?? 0;
  return ticks / TICKS_PER_SECOND;
}

/** Resident set size of one process (`VmRSS`), in MiB; undefined once it is gone. */
export function rssMb(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Waits until `pid` has `count` children (a cluster primary that forked its workers).
 *
 * @example
 * await waitForChildren(server.process.pid!, 2, 30_000);
 */
export async function waitForChildren(pid: number, count: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const children = childPids(pid);
    if (children.length >= count) return children;
    if (Date.now() > deadline) {
      throw new Error(
        `process ${pid} has ${children.length} of ${count} workers after ${timeoutMs} ms`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits until the processes in `pids` (each with its children) have used less than
 * `maxCoreFraction` of one core over `windowMs`: a server whose workers still start up (about
 * 3 s of CPU each: modules, migrations check, the password estimator's dictionaries) is not
 * measured. Resolves anyway after `timeoutMs` (a busy shared machine), telling how long it took.
 *
 * @example
 * await waitUntilIdle([server.process.pid!], { windowMs: 1000, maxCoreFraction: 0.05 });
 */
export async function waitUntilIdle(
  pids: readonly number[],
  { windowMs = 1000, maxCoreFraction = 0.05, timeoutMs = 60_000 } = {},
): Promise<{ idle: boolean; waitedMs: number }> {
  const started = Date.now();
  const total = () => pids.reduce((sum, pid) => sum + treeCpuSeconds(pid), 0);
  for (;;) {
    const before = total();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    const used = total() - before;
    const waitedMs = Date.now() - started;
    if (used < (maxCoreFraction * pids.length * windowMs) / 1000) return { idle: true, waitedMs };
    if (waitedMs > timeoutMs) return { idle: false, waitedMs };
  }
}
