/** Starts the burst's load generator (burst-driver.ts) in its own process. */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { BurstDriverInput, BurstDriverOutput } from "./burst-driver-types.js";

const DRIVER = fileURLToPath(new URL("./burst-driver.ts", import.meta.url));

export type RunningBurst = {
  /** Resolves when the driver sends its first request. */
  started: Promise<void>;
  finished: Promise<BurstDriverOutput>;
};

/**
 * @example
 * const burst = driveBurst({ urls, cookies, rate: 1000, seconds: 10, socketsPerServer: 16, drainSeconds: 15 });
 * await burst.started; // probe while it runs
 * const output = await burst.finished;
 */
export function driveBurst(input: BurstDriverInput): RunningBurst {
  if (input.rate < 1 || input.seconds < 1) throw new Error("driveBurst: rate and seconds ≥ 1");
  const child = spawn(
    process.execPath,
    ["--conditions=@hybrid-auth/source", "--import", "tsx", DRIVER],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  let output = "";
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
    if (output.startsWith("go\n")) markStarted();
  });
  const finished = new Promise<BurstDriverOutput>((resolve, reject) => {
    child.once("exit", (code) => {
      markStarted();
      if (code !== 0) reject(new Error(`burst driver exited with ${code}`));
      else resolve(JSON.parse(output.slice("go\n".length)) as BurstDriverOutput);
    });
  });
  child.stdin.end(JSON.stringify(input));
  return { started, finished };
}
