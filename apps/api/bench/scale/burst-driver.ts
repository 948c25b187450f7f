/**
 * The burst's load generator, in a process of its own (`driveBurst` starts it): single-session
 * log-outs at a fixed rate, request i to server i mod N with session i's access token, so every
 * session is revoked exactly once and the work is spread over every process. Reads
 * BurstDriverInput as JSON on stdin; prints `go` and a newline when it starts sending, then
 * BurstDriverOutput as JSON.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { BurstDriverInput, BurstDriverOutput, BurstSecond } from "./burst-driver-types.js";

function percentile(values: number[], fraction: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

async function drive(input: BurstDriverInput): Promise<BurstDriverOutput> {
  const targets = input.urls.map((url) => ({
    url: new URL(url),
    agent: new Agent({ keepAlive: true, maxSockets: input.socketsPerServer }),
  }));
  const total = Math.min(input.cookies.length, input.rate * input.seconds);
  const seconds: (BurstSecond & { latencies: number[] })[] = Array.from(
    { length: input.seconds },
    () => ({ sent: 0, revoked: 0, otherStatus: 0, errors: 0, p50Ms: 0, p99Ms: 0, latencies: [] }),
  );
  const revoked: number[] = [];
  let sent = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let settled = 0;
  let allSettled: () => void = () => {};
  const done = new Promise<void>((resolve) => (allSettled = resolve));
  const started = performance.now();
  // Tells the bench the first second starts now (it aligns its probes with the driver's seconds).
  process.stdout.write("go\n");

  const send = (i: number) => {
    const target = targets[i % targets.length]!;
    const second =
      seconds[Math.min(input.seconds - 1, Math.floor((performance.now() - started) / 1000))]!;
    second.sent += 1;
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const sentAt = performance.now();
    const finish = (status: number | "error") => {
      inFlight -= 1;
      if (status === 204) {
        second.revoked += 1;
        revoked.push(i);
      } else if (status === "error") second.errors += 1;
      else second.otherStatus += 1;
      second.latencies.push(performance.now() - sentAt);
      settled += 1;
      if (settled === total) allSettled();
    };
    const req = request(
      {
        host: target.url.hostname,
        port: target.url.port,
        method: "POST",
        path: "/api/auth/logout",
        agent: target.agent,
        headers: { cookie: input.cookies[i]!, "content-length": "0" },
      },
      (res) => {
        res.on("data", () => {});
        res.on("end", () => finish(res.statusCode ?? 0));
        res.on("error", () => finish("error"));
      },
    );
    req.on("error", () => finish("error"));
    req.end();
  };

  if (total === 0) allSettled();
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - started) * input.rate) / 1000));
    while (sent < due) send(sent++);
    if (sent >= total) clearInterval(timer);
  }, 5);
  const drained = await Promise.race([
    done.then(() => true),
    new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), (input.seconds + input.drainSeconds) * 1000).unref(),
    ),
  ]);
  clearInterval(timer);
  for (const target of targets) target.agent.destroy();
  return {
    requested: total,
    sent,
    drained,
    maxInFlight,
    elapsedSeconds: (performance.now() - started) / 1000,
    perSecond: seconds.map(({ latencies, ...second }) => ({
      ...second,
      p50Ms: Math.round(percentile(latencies, 0.5) * 100) / 100,
      p99Ms: Math.round(percentile(latencies, 0.99) * 100) / 100,
    })),
    revoked,
  };
}

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
process.stdout.write(JSON.stringify(await drive(JSON.parse(input) as BurstDriverInput)));
process.exit(0);
