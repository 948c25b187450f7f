/**
 * `pnpm bench`: requests per second of the authenticated hot path against a bare route,
 * measured in one run, alternating the variants so machine drift cancels out.
 */
import autocannon from "autocannon";
import { startServer } from "./server-process";

const SESSIONS = Number(process.argv[2] ?? 200);
const ROUNDS = 3;
const SECONDS = 5;
const CONNECTIONS = 50;

async function signUpMany(url: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  const batch = 8;
  for (let start = 0; start < count; start += batch) {
    const results = await Promise.all(
      Array.from({ length: Math.min(batch, count - start) }, async (_, i) => {
        const response = await fetch(`${url}/api/auth/register`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({
            email: `bench-${start + i}@example.test`,
            password: "violet-kettle-harbour-93",
          }),
        });
        if (response.status !== 201) throw new Error(`sign-up: ${response.status}`);
        return response.headers
          .getSetCookie()
          .map((header) => header.split(";")[0])
          .join("; ");
      }),
    );
    cookies.push(...results);
  }
  return cookies;
}

type Result = { rps: number; p50: number; p99: number; non2xx: number };

async function measure(url: string, path: string, cookies?: string[]): Promise<Result> {
  let next = 0;
  const result = await autocannon({
    url: `${url}${path}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => {
          if (!cookies) return request;
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
    non2xx: result.non2xx,
  };
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

async function main(): Promise<void> {
  const server = await startServer();
  try {
    console.log(`signing up ${SESSIONS} users…`);
    const cookies = await signUpMany(server.url, SESSIONS);
    const health: Result[] = [];
    const session: Result[] = [];
    await measure(server.url, "/api/health"); // warm-up
    await measure(server.url, "/api/auth/session", cookies);
    for (let round = 0; round < ROUNDS; round += 1) {
      health.push(await measure(server.url, "/api/health"));
      session.push(await measure(server.url, "/api/auth/session", cookies));
    }
    const rows = [
      ["GET /api/health (bare)", health],
      [`GET /api/auth/session (hot path, ${SESSIONS} sessions)`, session],
    ] as const;
    console.log(`\n${ROUNDS} alternating rounds of ${SECONDS}s, ${CONNECTIONS} connections`);
    for (const [name, results] of rows) {
      const non2xx = results.reduce((sum, r) => sum + r.non2xx, 0);
      console.log(
        `${name.padEnd(48)} ${mean(results.map((r) => r.rps))
          .toFixed(0)
          .padStart(7)} req/s` +
          `  p50 ${mean(results.map((r) => r.p50)).toFixed(1)} ms  p99 ${mean(results.map((r) => r.p99)).toFixed(1)} ms` +
          (non2xx ? `  NON-2XX: ${non2xx}` : ""),
      );
    }
    const ratio = mean(session.map((r) => r.rps)) / mean(health.map((r) => r.rps));
    console.log(`hot path / bare route: ${ratio.toFixed(2)}`);
  } finally {
    await server.stop();
  }
}

await main();
