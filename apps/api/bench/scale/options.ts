/** `pnpm bench:scale`'s command-line flags, read and checked once, before anything starts. */
import { flag } from "../setup.js";
import { BURST_SOURCES, type BurstSource } from "./burst.js";

export const PARTS = ["workers", "fanout", "burst"] as const;
export type Part = (typeof PARTS)[number];

export type ScaleOptions = {
  /** Distinct sessions the hot path cycles through (workers part). */
  sessions: number;
  /** Alternating rounds of 1 vs 2 workers, bare and hot. */
  rounds: number;
  /** Seconds of load per variant and round. */
  seconds: number;
  connections: number;
  /** API processes for the fan-out and the burst. */
  processes: number;
  /** Revocations timed across every other process (fan-out part). */
  trials: number;
  /** Pause between two requests of one refusal probe, in ms (the probe's resolution). */
  pollMs: number;
  burstSeconds: number;
  burstRate: number;
  /** Where the burst's revocations come from, one burst each, in BURST_SOURCES order. */
  burstVia: readonly BurstSource[];
  /** Kept-alive connections from the burst's driver to each process. */
  burstSockets: number;
  /** One probe revocation timed every this many ms during the burst. */
  probeEveryMs: number;
  /** Seconds to watch the processes' memory after the burst. */
  idleSeconds: number;
  parts: readonly Part[];
  write: boolean;
};

function positiveInteger(name: string, fallback: string, min = 1): number {
  const value = Number(flag(name, fallback));
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer ≥ ${min}, got ${flag(name, fallback)}`);
  }
  return value;
}

/** A comma-separated flag whose items must be among `allowed` (all of them by default). */
function listFlag(name: string, allowed: readonly string[]): string[] {
  const items = flag(name, allowed.join(","))
    .split(",")
    .filter((item) => item.length > 0);
  for (const item of items) {
    if (!allowed.includes(item)) {
      throw new Error(`--${name} takes ${allowed.join(", ")} (comma-separated), got ${item}`);
    }
  }
  return items;
}

/**
 * Reads the flags from `argv` (via `flag`), failing fast on a bad value.
 *
 * @example
 * // pnpm bench:scale --trials=5 --burst-seconds=2 --idle-seconds=5 --no-write
 * const options = readScaleOptions(process.argv);
 * options.trials; // 5
 */
export function readScaleOptions(argv: readonly string[]): ScaleOptions {
  const only = listFlag("only", PARTS);
  const via = listFlag("burst-via", BURST_SOURCES);
  const options: ScaleOptions = {
    sessions: positiveInteger("sessions", "1000"),
    rounds: positiveInteger("rounds", "8"),
    seconds: positiveInteger("seconds", "3"),
    connections: positiveInteger("connections", "50"),
    processes: positiveInteger("processes", "8", 2),
    trials: positiveInteger("trials", "50"),
    pollMs: positiveInteger("poll-ms", "1", 0),
    burstSeconds: positiveInteger("burst-seconds", "10"),
    burstRate: positiveInteger("burst-rate", "1000"),
    burstVia: BURST_SOURCES.filter((source) => via.includes(source)),
    burstSockets: positiveInteger("burst-sockets", "4"),
    probeEveryMs: positiveInteger("probe-every-ms", "500", 100),
    idleSeconds: positiveInteger("idle-seconds", "30", 0),
    parts: PARTS.filter((part) => only.includes(part)),
    write: !argv.includes("--no-write"),
  };
  return options;
}
