import { median, quantile, type Sample } from "./load.js";

/** The spread of per-pair ratios: median and interquartile range. */
export type RatioSpread = { median: number; quartiles: [number, number] };

/**
 * `pairs` short back-to-back runs of two variants, the order alternating (`a` first in even
 * pairs, `b` first in odd ones) so a drift within a pair favours neither. On a shared 2-core
 * machine one pair's ratio moves by ±0.2 from the next, so a ratio needs many short pairs
 * more than long runs.
 *
 * @example
 * const pairs = await alternatingPairs(() => runLoad(bare), () => runLoad(hot), 40);
 * spread(pairs.map((p) => p.b.rps / p.a.rps)); // hot/bare
 */
export function alternatingPairs(
  a: () => Promise<Sample>,
  b: () => Promise<Sample>,
  pairs: number,
): Promise<{ a: Sample; b: Sample }[]> {
  // The two orders of two variants, in turn: `a` first in even pairs.
  return rotatingRuns({ a, b }, pairs);
}

/**
 * Median and quartiles of a list of ratios (nearest rank).
 *
 * @example
 * spread([0.8, 0.9, 1.1]); // { median: 0.9, quartiles: [0.8, 0.9] }
 */
export function spread(ratios: readonly number[]): RatioSpread {
  return {
    median: median(ratios),
    quartiles: [quantile(ratios, 0.25), quantile(ratios, 0.75)],
  };
}

/**
 * `runs` short back-to-back runs of every variant, in an order that goes through every
 * permutation in turn (with three variants: each first, middle and last equally often over
 * six runs), so a drift within a run favours none of them. With two variants, the order
 * alternates ({@link alternatingPairs}).
 *
 * @example
 * const runs = await rotatingRuns({ floor: () => runLoad(floor), hot: () => runLoad(hot) }, 42);
 * spread(runs.map((run) => run.hot.rps / run.floor.rps)); // hot/floor
 */
export async function rotatingRuns<K extends string>(
  variants: Record<K, () => Promise<Sample>>,
  runs: number,
): Promise<Record<K, Sample>[]> {
  const orders = permutations(Object.keys(variants) as K[]);
  const result: Record<K, Sample>[] = [];
  for (let i = 0; i < runs; i += 1) {
    const run = {} as Record<K, Sample>;
    for (const key of orders[i % orders.length]!) run[key] = await variants[key]();
    result.push(run);
  }
  return result;
}

/** Every order of `items` (n! of them; meant for two or three). */
function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
  );
}
