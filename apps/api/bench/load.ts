import autocannon from "autocannon";

export type Sample = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  errors: number;
};

export type LoadOptions = {
  url: string;
  method?: "GET" | "POST";
  body?: string;
  /** Cookie headers handed out round-robin, one per request. */
  cookies?: readonly string[];
  connections: number;
  seconds: number;
  /** Fixed overall request rate (req/s), for latency at a given load instead of saturation. */
  overallRate?: number;
};

/** One autocannon run: throughput and latency of one variant. */
export async function runLoad(options: LoadOptions): Promise<Sample> {
  let next = 0;
  const cookies = options.cookies;
  const headers: Record<string, string> =
    options.body === undefined ? {} : { "content-type": "application/json" };
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: options.method ?? "GET",
        ...(options.body === undefined ? {} : { body: options.body }),
        headers,
        setupRequest: (request) => {
          if (!cookies || cookies.length === 0) return request;
          const cookie = cookies[next++ % cookies.length]!;
          return { ...request, headers: { ...request.headers, cookie } };
        },
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export const mean = (values: readonly number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

export const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
