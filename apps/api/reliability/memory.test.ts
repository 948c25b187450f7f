import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../bench/server-process.js";

type Probe = {
  failedRequests: number;
  tokenCache: { heap: { sessions: number; heapMb: number }[] };
  revocations: { maxListSize: number; finalListSize: number; boundEventsPerLifetime: number };
  rssBeforeMb: number;
  rssGrowthMb: number;
  peakRssMb: number;
};

/**
 * 100 000 distinct sessions through the real middleware and revocation list, in a process of
 * their own (apps/api/bench/memory-probe.ts): the verified-token cache and the revocation
 * events must stay bounded.
 */
describe("memory under 100 000 distinct sessions", () => {
  it("keeps the verified-token cache and the revocation events bounded", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--conditions=@hybrid-auth/source",
        "--import",
        "tsx",
        "--expose-gc",
        "apps/api/bench/memory-probe.ts",
      ],
      { cwd: repoRoot, encoding: "utf8", timeout: 150_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    const probe = JSON.parse(run.stdout.trim().split("\n").at(-1)!) as Probe;
    const heap = probe.tokenCache.heap;
    console.log(
      `memory: token-cache heap ${heap[0]!.heapMb} MiB after 10k sessions, ${heap.at(-1)!.heapMb} MiB after 100k; ` +
        `revocation list max ${probe.revocations.maxListSize} (bound ${probe.revocations.boundEventsPerLifetime}); ` +
        `RSS ${probe.rssBeforeMb} MiB before (embedded PGlite), +${probe.rssGrowthMb} MiB during, peak ${probe.peakRssMb} MiB`,
    );
    expect(probe.failedRequests).toBe(0);
    // The cache holds 10 000 entries: from 10 000 sessions on, the heap no longer grows.
    expect(heap.at(-1)!.heapMb - heap[0]!.heapMb).toBeLessThan(5);
    // Only one token lifetime's events are kept.
    expect(probe.revocations.maxListSize).toBeLessThanOrEqual(
      probe.revocations.boundEventsPerLifetime,
    );
    expect(probe.rssGrowthMb).toBeLessThan(64);
  });
});
