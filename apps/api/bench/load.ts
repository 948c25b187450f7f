import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export type Sample = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  /**
   * Requests sent, answered or not: those still in flight when the run ends are sent, and the
   * server still does their work (database transactions included).
   */
  sent?: number;
  non2xx: number;
  errors: number;
  /** CPU time the server spent per answered request (µs), when the bench measured it. */
  serverCpuUs?: number;
};

export type LoadOptions = {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  /** Cookie headers, one per request in turn (each connection walks the whole list). */
  cookies?: readonly string[];
  connections: number;
  seconds: number;
  /** Stop after this many requests instead (`seconds` is then only a cap). */
  amount?: number;
  /** Fixed overall request rate (req/s), for latency at a given load instead of saturation. */
  overallRate?: number;
  /** CPUs the load generator may use (Linux `taskset -c` list, e.g. "1"). */
  cpus?: string;
};

/** One autocannon run, in its own process (load-process.ts): throughput and latency. */
export async function runLoad(options: LoadOptions): Promise<Sample> {
  const nodeArgs = ["--conditions=@hybrid-auth/source", "--import", "tsx", LOAD_PROCESS];
  const [command, args] = options.cpus
    ? ["taskset", ["-c", options.cpus, process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child = spawn(command, args, { stdio: ["pipe", "pipe", "inherit"] });
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.stdin.end(JSON.stringify(options));
  const code = await exited;
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(output) as Sample;
}

/** {@link runLoad}, plus the CPU time `server` spent per answered request. */
export async function runLoadOn(
  server: { cpuSeconds(): number | undefined },
  options: LoadOptions,
): Promise<Sample> {
  const before = server.cpuSeconds();
  const sample = await runLoad(options);
  const after = server.cpuSeconds();
  if (before !== undefined && after !== undefined && sample.requests > 0) {
    sample.serverCpuUs = ((after - before) * 1e6) / sample.requests;
  }
  return sample;
}

const LOAD_PROCESS = fileURLToPath(new URL("./load-process.ts", import.meta.url));

export const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/** The value below which `fraction` of the values lie (nearest rank). */
export const quantile = (values: readonly number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
};

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
