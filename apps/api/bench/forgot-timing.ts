/**
 * `POST /api/auth/password/forgot` timed for emails with and without an account, alternating,
 * against the production server (the compiled JavaScript, like `pnpm start`): the numbers of
 * the enumeration claim in docs/security.md. Tests never assert times; this prints them.
 *
 *   pnpm --filter @hybrid-auth/api exec tsx --conditions=@hybrid-auth/source bench/forgot-timing.ts \
 *     [--samples=400] [--database=postgres://…]
 */
import { parseArgs } from "node:util";
import { startServer } from "./server-process.js";

const { values } = parseArgs({
  options: { samples: { type: "string", default: "400" }, database: { type: "string" } },
});
const samples = Number(values.samples);
const server = await startServer({
  // Enough head-room that no sample meets a limit (the limits are tested elsewhere).
  AUTH_SIGN_UPS_PER_CLIENT: "100000",
  AUTH_MAIL_REQUESTS_PER_CLIENT: "100000",
  ...(values.database ? { DATABASE_URL: values.database } : {}),
});
const origin = server.url;
const headers = { "Content-Type": "application/json", Origin: origin };
const run = `${Date.now().toString(36)}`;

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${origin}${path}`, { method: "POST", headers, body: JSON.stringify(body) });
}

try {
  // Known accounts, one per sample so the per-address mail limit (5 an hour) never answers.
  const known: string[] = [];
  for (let i = 0; i < samples; i += 1) {
    const email = `known-${run}-${i}@timing.test`;
    const response = await post("/api/auth/register", {
      email,
      password: "violet-kettle-harbour-93",
    });
    if (response.status !== 201) throw new Error(`sign-up ${response.status}`);
    known.push(email);
  }
  const times = { known: [] as number[], unknown: [] as number[] };
  const statuses = new Set<string>();
  for (let i = 0; i < samples; i += 1) {
    // Alternate which goes first, so drift affects both alike.
    const order = i % 2 === 0 ? (["known", "unknown"] as const) : (["unknown", "known"] as const);
    for (const kind of order) {
      const email = kind === "known" ? known[i]! : `nobody-${run}-${i}@timing.test`;
      const started = process.hrtime.bigint();
      const response = await post("/api/auth/password/forgot", { email });
      const body = await response.text();
      times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
      statuses.add(`${response.status} ${body}`);
    }
  }
  const quantile = (values: number[], q: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  };
  console.log(
    `forgot-password over HTTP, ${samples} alternating pairs, ${values.database ? "PostgreSQL" : "PGlite"}`,
  );
  console.log(`distinct answers (status + body): ${statuses.size}`);
  for (const kind of ["known", "unknown"] as const) {
    const t = times[kind];
    console.log(
      `${kind.padEnd(8)} p25 ${quantile(t, 0.25).toFixed(2)} ms  median ${quantile(t, 0.5).toFixed(2)} ms  p90 ${quantile(t, 0.9).toFixed(2)} ms`,
    );
  }
  console.log(
    `median known / unknown: ${(quantile(times.known, 0.5) / quantile(times.unknown, 0.5)).toFixed(3)}`,
  );
} finally {
  await server.stop();
}
