/**
 * The load generator, in a process of its own (`runLoad` starts it): a fresh heap for every
 * run, so neither the bench's own data nor an earlier run's garbage collection pauses land in
 * this run's latencies. Reads LoadOptions as JSON on stdin, prints a Sample as JSON.
 */
import autocannon from "autocannon";
import type { LoadOptions, Sample } from "./load.js";

/**
 * One autocannon run: throughput and latency of one variant. Requests are built once, one per
 * cookie, and each connection cycles through them: autocannon rebuilds a request it must
 * set up per call, load-generator work that competes with the server for the same cores.
 */
async function generateLoad(options: LoadOptions): Promise<Sample> {
  const headers: Record<string, string> =
    options.body === undefined ? {} : { "content-type": "application/json" };
  const request = {
    method: options.method ?? "GET",
    ...(options.body === undefined ? {} : { body: options.body }),
    headers,
  };
  const cookies = options.cookies ?? [];
  const requests =
    cookies.length === 0
      ? [request]
      : cookies.map((cookie) => ({ ...request, headers: { ...headers, cookie } }));
  let clientsSetUp = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.amount ? { amount: options.amount } : {}),
    // autocannon spends a rate as a per-second budget, each connection sending back to back
    // until its share is used up; its coordinated-omission correction assumes an even pace
    // instead (one request every 1/rate s per connection) and adds made-up samples for every
    // response slower than that pace, which turned a 3 ms p99 into 100+ ms. Real response
    // times only.
    ...(options.overallRate
      ? { overallRate: options.overallRate, ignoreCoordinatedOmission: true }
      : {}),
    requests,
    // Every connection would start at the first cookie: in a short run of a slow route the
    // load would fall on the first few dozen sessions only (and their to-do lists grow run
    // after run). Each connection starts at its own place in the list instead.
    setupClient: (client) => {
      const offset = Math.floor((clientsSetUp++ * requests.length) / options.connections);
      if (offset > 0) client.setRequests([...requests.slice(offset), ...requests.slice(0, offset)]);
    },
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    sent: result.requests.sent,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const sample = await generateLoad(JSON.parse(input) as LoadOptions);
process.stdout.write(JSON.stringify(sample));
