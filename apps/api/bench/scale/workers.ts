/**
 * One worker against two: the production server started with WEB_CONCURRENCY=1 and, separately,
 * with WEB_CONCURRENCY=2 (node:cluster) on the same database and sessions, both up for the whole
 * run, loaded in turn in short rounds whose order flips every round, so drift favours neither.
 * The load generator (autocannon, its own process) runs on the same two cores as the servers.
 */
import { quantile, median, runLoad, type Sample } from "../load.js";
import type { RunningServer } from "../server-process.js";
import { treeCpuSeconds } from "./process-tree.js";

const ROUTES = {
  bare: { path: "/api/health", withCookies: false },
  hot: { path: "/api/auth/session", withCookies: true },
} as const;
type Route = keyof typeof ROUTES;

type Variant = { route: Route; workers: 1 | 2 };
const VARIANTS: readonly Variant[] = [
  { route: "bare", workers: 1 },
  { route: "bare", workers: 2 },
  { route: "hot", workers: 1 },
  { route: "hot", workers: 2 },
];

export type RouteScaling = {
  rps1: number;
  rps2: number;
  /** Median over the rounds of rps(2) / (2 × rps(1)); 1 would be perfect scaling. */
  efficiency: number;
  efficiencyQuartiles: [number, number];
  /** Median server CPU µs per request (the whole process tree: primary and workers). */
  cpuUs1: number;
  cpuUs2: number;
  p99Ms1: number;
  p99Ms2: number;
  non2xx: number;
  errors: number;
};

export type WorkersResult = {
  sessions: number;
  rounds: number;
  seconds: number;
  connections: number;
  bare: RouteScaling;
  hot: RouteScaling;
  samples: (Variant & Sample)[];
};

/**
 * @example
 * const result = await measureWorkers({ one, two, cookies, rounds: 8, seconds: 3, connections: 50 });
 * console.log(result.hot.efficiency);
 */
export async function measureWorkers(options: {
  one: RunningServer;
  two: RunningServer;
  cookies: readonly string[];
  rounds: number;
  seconds: number;
  connections: number;
}): Promise<WorkersResult> {
  const { one, two, cookies, connections } = options;
  const server = (workers: 1 | 2) => (workers === 1 ? one : two);
  const run = async (variant: Variant, seconds: number) => {
    const target = server(variant.workers);
    const route = ROUTES[variant.route];
    const pid = target.process.pid!;
    const before = treeCpuSeconds(pid);
    const sample = await runLoad({
      url: `${target.url}${route.path}`,
      ...(route.withCookies ? { cookies } : {}),
      connections,
      seconds,
    });
    const cpu = treeCpuSeconds(pid) - before;
    if (sample.requests > 0) sample.serverCpuUs = (cpu * 1e6) / sample.requests;
    return { ...variant, ...sample };
  };
  // Warm-up (JIT, connection pools, the second worker's first requests); not counted.
  for (const variant of VARIANTS) await run(variant, 1);
  const samples: (Variant & Sample)[] = [];
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? VARIANTS : [...VARIANTS].reverse();
    for (const variant of order) samples.push(await run(variant, options.seconds));
  }
  const scaling = (route: Route): RouteScaling => {
    const of = (workers: 1 | 2) =>
      samples.filter((s) => s.route === route && s.workers === workers);
    const [ones, twos] = [of(1), of(2)];
    const efficiencies = twos.map((s, i) => s.rps / (2 * ones[i]!.rps));
    const all = [...ones, ...twos];
    return {
      rps1: median(ones.map((s) => s.rps)),
      rps2: median(twos.map((s) => s.rps)),
      efficiency: median(efficiencies),
      efficiencyQuartiles: [quantile(efficiencies, 0.25), quantile(efficiencies, 0.75)],
      cpuUs1: median(ones.map((s) => s.serverCpuUs ?? NaN)),
      cpuUs2: median(twos.map((s) => s.serverCpuUs ?? NaN)),
      p99Ms1: median(ones.map((s) => s.p99)),
      p99Ms2: median(twos.map((s) => s.p99)),
      non2xx: all.reduce((sum, s) => sum + s.non2xx, 0),
      errors: all.reduce((sum, s) => sum + s.errors, 0),
    };
  };
  return {
    sessions: cookies.length,
    rounds: options.rounds,
    seconds: options.seconds,
    connections,
    bare: scaling("bare"),
    hot: scaling("hot"),
    samples,
  };
}
