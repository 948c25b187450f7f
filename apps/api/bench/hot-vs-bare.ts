import { median, runLoadOn, type Sample } from "./load.js";
import { alternatingPairs, spread } from "./paired-runs.js";
import type { RunningServer } from "./server-process.js";

export type HotVsBare = {
  /** Median over the pairs of hot req/s ÷ bare req/s. */
  ratio: number;
  /** Interquartile range of the per-pair ratios. */
  quartiles: [number, number];
  /** Median over the pairs of bare CPU µs/request ÷ hot CPU µs/request. */
  cpuRatio: number | undefined;
  pairs: { bare: Sample; hot: Sample }[];
};

/**
 * hot/bare from many short, back-to-back pairs. On a shared 2-core machine one pair's ratio
 * moves by ±0.2 from the next (the load generator and everything else on the box compete for
 * the second core, and the VM's speed drifts), so the figure needs many pairs more than long
 * runs. The order alternates (bare first, then hot first: paired-runs.ts), so a drift within
 * a pair favours neither variant.
 */
export async function pairedHotVsBare(options: {
  server: RunningServer;
  cookies: readonly string[];
  pairs: number;
  seconds: number;
  connections: number;
}): Promise<HotVsBare> {
  const { server, cookies, seconds, connections } = options;
  const bare = () => runLoadOn(server, { url: `${server.url}/api/health`, connections, seconds });
  const hot = () =>
    runLoadOn(server, { url: `${server.url}/api/auth/session`, cookies, connections, seconds });
  const pairs = (await alternatingPairs(bare, hot, options.pairs)).map(({ a, b }) => ({
    bare: a,
    hot: b,
  }));
  const ratios = pairs.map((pair) => pair.hot.rps / pair.bare.rps);
  const cpu = pairs.every((pair) => pair.hot.serverCpuUs && pair.bare.serverCpuUs)
    ? median(pairs.map((pair) => pair.bare.serverCpuUs! / pair.hot.serverCpuUs!))
    : undefined;
  const { median: ratio, quartiles } = spread(ratios);
  return {
    ratio,
    quartiles,
    cpuRatio: cpu,
    pairs,
  };
}
