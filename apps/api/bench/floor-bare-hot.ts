import { median, runLoadOn, type Sample } from "./load.js";
import { rotatingRuns, spread, type RatioSpread } from "./paired-runs.js";
import type { RunningServer } from "./server-process.js";

/** One ratio over the same runs: by req/s (median, quartiles) and by server CPU per request. */
export type PairedRatio = RatioSpread & {
  /** Median over the runs of the denominator's CPU µs/request ÷ the numerator's. */
  cpuRatio: number | undefined;
};

export type FloorBareHot = {
  hotOverBare: PairedRatio;
  bareOverFloor: PairedRatio;
  hotOverFloor: PairedRatio;
  runs: { floor: Sample; bare: Sample; hot: Sample }[];
};

/**
 * The floor (a plain Hono app answering the hot path's JSON), our bare route and our hot
 * path, from many short back-to-back runs of the three. On a shared 2-core machine one run's
 * ratio moves by ±0.2 from the next (the load generator and everything else on the box
 * compete for the second core, and the VM's speed drifts), so the figures need many short
 * runs more than long ones. The order goes through all six permutations in turn
 * (paired-runs.ts), so a drift within a run favours none of the three.
 */
export async function floorBareHot(options: {
  product: RunningServer;
  floor: RunningServer;
  cookies: readonly string[];
  runs: number;
  seconds: number;
  connections: number;
}): Promise<FloorBareHot> {
  const { product, floor, cookies, seconds, connections } = options;
  const session = "/api/auth/session";
  const runs = await rotatingRuns(
    {
      floor: () =>
        runLoadOn(floor, { url: `${floor.url}${session}`, cookies, connections, seconds }),
      bare: () => runLoadOn(product, { url: `${product.url}/api/health`, connections, seconds }),
      hot: () =>
        runLoadOn(product, { url: `${product.url}${session}`, cookies, connections, seconds }),
    },
    options.runs,
  );
  return {
    hotOverBare: ratioOverRuns(runs, "hot", "bare"),
    bareOverFloor: ratioOverRuns(runs, "bare", "floor"),
    hotOverFloor: ratioOverRuns(runs, "hot", "floor"),
    runs,
  };
}

function ratioOverRuns<K extends string>(
  runs: readonly Record<K, Sample>[],
  numerator: K,
  denominator: K,
): PairedRatio {
  const cpuRatio = runs.every((run) => run[numerator].serverCpuUs && run[denominator].serverCpuUs)
    ? median(runs.map((run) => run[denominator].serverCpuUs! / run[numerator].serverCpuUs!))
    : undefined;
  return { ...spread(runs.map((run) => run[numerator].rps / run[denominator].rps)), cpuRatio };
}
