/** The peers' lines in `pnpm bench`'s report, and their chart (docs/bench/peers.svg). */
import { barChart } from "../chart.js";
import type { BetterAuthPeerResult, PeerConfigResult } from "./better-auth.js";
import { PEER_GOAL } from "./better-auth.js";
import { describeRevocation } from "./revocation-latency.js";

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const CONFIG_LABELS = {
  default: "default (no cookie cache)",
  compact: "cookieCache compact",
  jwt: "cookieCache jwt",
} as const;

/** "Better Auth cookieCache jwt, auth.handler" */
export const configLabel = (config: Pick<PeerConfigResult, "mode" | "route">) =>
  `Better Auth ${CONFIG_LABELS[config.mode]}, ${config.route === "handler" ? "auth.handler" : "its middleware"}`;

/**
 * Prints the peers' table (the faster route of each mode marked), ours / the best, and the
 * revocation latencies.
 *
 * @example
 * printPeers(result.peers, (line) => console.log(line));
 */
export function printPeers(peers: BetterAuthPeerResult, print: (line: string) => void): void {
  print(
    `\npeers on PostgreSQL: Better Auth ${peers.version}, ${peers.pairs} alternating pairs of ${peers.seconds} s against our hot path (medians; quartiles of the per-pair ratio)`,
  );
  print(
    `${"configuration".padEnd(58)} ${"req/s".padStart(7)} ${"CPU µs/req".padStart(11)} ${"DB tx/req".padStart(10)} ${"ours/theirs".padStart(18)}`,
  );
  for (const config of peers.configs) {
    const [q1, q3] = config.oursOverPeer.quartiles;
    const faster = peers.fastest[config.mode] === config.route ? " *" : "";
    print(
      `${(configLabel(config) + faster).padEnd(58)} ${fmt(config.rps).padStart(7)} ${(config.serverCpuUs === undefined ? "?" : fmt(config.serverCpuUs)).padStart(11)} ${fmt(config.transactionsPerRequest, 2).padStart(10)} ${`${config.oursOverPeer.median.toFixed(1)}× (${q1.toFixed(1)}–${q3.toFixed(1)})`.padStart(18)}`,
    );
  }
  const ours = peers.configs.map((c) => c.ours);
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  print(
    `${"ours, hot path (same pairs)".padEnd(58)} ${fmt(mid(ours.map((o) => o.rps))).padStart(7)} ${fmt(mid(ours.map((o) => o.serverCpuUs ?? NaN))).padStart(11)} ${fmt(mid(peers.configs.map((c) => c.oursTransactionsPerRequest)), 2).padStart(10)}`,
  );
  print("  * the faster of the two routes of that configuration");
  const [q1, q3] = peers.best.oursOverPeer.quartiles;
  print(
    `hot / Better Auth's fastest (${configLabel(peers.best)}): ${peers.goal.oursOverBest.toFixed(1)}×, quartiles ${q1.toFixed(1)}–${q3.toFixed(1)} (goal ≥ ${PEER_GOAL}×: ${peers.goal.met ? "met" : "NOT MET"})`,
  );
  print(
    `revocation latency (B signs A's session out; A polls every 20 ms, cap 10 s; ms include the refusing request):`,
  );
  print(`  ${"ours (logout-others)".padEnd(38)} ${describeRevocation(peers.revocation.ours)}`);
  for (const mode of ["default", "compact", "jwt"] as const) {
    print(
      `  ${`Better Auth ${CONFIG_LABELS[mode]}`.padEnd(38)} ${describeRevocation(peers.revocation[mode])}`,
    );
  }
}

/**
 * The chart of docs/bench/peers.svg: our floor, bare route and hot path (medians of the long
 * rounds) and our hot path in the peer pairs, beside every Better Auth configuration.
 *
 * @example
 * writeFileSync("docs/bench/peers.svg", peersChart(peers, { floor, bare, hot }, subtitle));
 */
export function peersChart(
  peers: BetterAuthPeerResult,
  ours: Record<"floor" | "bare" | "hot", { rps: number; serverCpuUs: number | undefined }>,
  subtitle: string,
): string {
  const oursColor = "#4f6bed";
  const peerColor = "#e8833a";
  const middle = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
  const oursInPairs = middle(peers.configs.map((c) => c.ours.rps));
  const oursCpuInPairs = peers.configs.every((c) => c.ours.serverCpuUs !== undefined)
    ? middle(peers.configs.map((c) => c.ours.serverCpuUs!))
    : undefined;
  const bars = [
    { label: "ours: plain Hono floor", rps: ours.floor.rps, cpu: ours.floor.serverCpuUs },
    { label: "ours: GET /api/health (bare)", rps: ours.bare.rps, cpu: ours.bare.serverCpuUs },
    { label: "ours: hot path", rps: ours.hot.rps, cpu: ours.hot.serverCpuUs },
    { label: "ours: hot path, in the peer pairs", rps: oursInPairs, cpu: oursCpuInPairs },
    ...peers.configs.map((c) => ({
      label: `Better Auth ${c.mode === "default" ? "default" : `cookieCache ${c.mode}`}, ${c.route}`,
      rps: c.rps,
      cpu: c.serverCpuUs,
    })),
  ];
  return barChart({
    title: `Hybrid auth vs. Better Auth ${peers.version}: session reads per second, PostgreSQL`,
    subtitle,
    labels: bars.map((b) => b.label),
    series: [
      {
        name: "requests per second",
        color: peerColor,
        values: bars.map((b) => b.rps),
        colors: bars.map((b) => (b.label.startsWith("ours") ? oursColor : peerColor)),
      },
    ],
    legend: [
      { name: "ours", color: oursColor },
      { name: `Better Auth ${peers.version}`, color: peerColor },
    ],
    annotate: (_, index) => {
      const cpu = bars[index]!.cpu;
      return cpu === undefined ? "" : ` (${fmt(cpu)} µs CPU)`;
    },
  });
}
