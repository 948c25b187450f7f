import { readFileSync } from "node:fs";

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that are used here. */
export type CpuProfile = {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
  }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
};

export const readProfile = (file: string) => JSON.parse(readFileSync(file, "utf8")) as CpuProfile;

/** `name file:line`, with the pnpm store path cut down to `package@version/file`. */
function frameName(frame: CpuProfile["nodes"][number]["callFrame"]): string {
  const where = frame.url
    .replace(/.*node_modules\/\.pnpm\/([^/]+)\/.*\/([^/]+)$/, "$1/$2")
    .replace(/^file:\/\/.*?\/(apps|packages)\//, "$1/");
  return `${frame.functionName || "(anonymous)"} ${where}${where ? `:${frame.lineNumber + 1}` : ""}`;
}

/**
 * Self time per function, in µs per request, over a window that ends `skipLastSeconds`
 * before the profile does and lasts `windowSeconds`.
 */
export function perRequestSelfTimes(
  profile: CpuProfile,
  options: { windowSeconds: number; skipLastSeconds: number; requestsPerSecond: number },
): Map<string, number> {
  const names = new Map(profile.nodes.map((node) => [node.id, frameName(node.callFrame)]));
  let clock = profile.startTime;
  const stamps = profile.timeDeltas.map((delta) => (clock += delta));
  const to = stamps.at(-1)! - options.skipLastSeconds * 1e6;
  const from = to - options.windowSeconds * 1e6;
  const requests = options.requestsPerSecond * options.windowSeconds;
  const times = new Map<string, number>();
  profile.samples.forEach((id, index) => {
    const at = stamps[index]!;
    if (at < from || at > to) return;
    const name = names.get(id)!;
    times.set(name, (times.get(name) ?? 0) + profile.timeDeltas[index]! / requests);
  });
  return times;
}
