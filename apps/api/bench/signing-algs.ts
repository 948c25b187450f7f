import { generateSigningKey } from "@hybrid-auth/auth";
import { median, runLoadOn, type Sample } from "./load.js";
import { startServer, type RunningServer } from "./server-process.js";

/** One fresh server each, over the same data: none has a history the others lack. */
export const SIGNING_ALGORITHMS = ["HS256", "EdDSA", "ES256"] as const;
type Algorithm = (typeof SIGNING_ALGORITHMS)[number];
const VARIANTS = ["bare", ...SIGNING_ALGORITHMS] as const;
type Variant = (typeof VARIANTS)[number];

export type SigningAlgsResult = {
  /** Median req/s over the rounds: `bare` is GET /api/health, the others the hot path. */
  rps: Record<Variant, number>;
  /** Medians over the rounds of the per-round ratios (measured seconds apart). */
  ratios: {
    hs256OverBare: number;
    eddsaOverBare: number;
    es256OverBare: number;
    eddsaOverHs256: number;
    es256OverHs256: number;
  };
  rounds: Record<Variant, Sample>[];
};

/**
 * One silent reissue per session (`GET /api/auth/session` with the session cookie only): an
 * access token that `server` signed with its own key (and cached, as it does every token it
 * mints), plus the session cookie to use next (rotated when the reissue rotated it). Also
 * how the peers' bench (peers/better-auth.ts) gives its sessions fresh access tokens.
 *
 * @example
 * const { cookies, sessions: next } = await tokensFrom(product, sessions);
 */
export async function tokensFrom(
  server: RunningServer,
  sessions: readonly string[],
): Promise<{ cookies: string[]; sessions: string[] }> {
  const cookies: (string | undefined)[] = new Array(sessions.length);
  const next = [...sessions];
  let index = 0;
  const worker = async () => {
    for (let i = index++; i < sessions.length; i = index++) {
      const response = await fetch(`${server.url}/api/auth/session`, {
        headers: { Cookie: sessions[i]! },
      });
      await response.arrayBuffer();
      // A session an earlier phase ended (a rotation it missed): left out, not fatal.
      if (response.status !== 200) continue;
      const pairs = response.headers.getSetCookie().map((header) => header.split(";")[0]!);
      const access = pairs.find((pair) => pair.startsWith("__Host-auth_access="));
      if (!access) throw new Error("the reissue set no access cookie");
      next[i] = pairs.find((pair) => pair.startsWith("__Host-auth_session=")) ?? sessions[i]!;
      cookies[i] = `${access}; ${next[i]}`;
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  const signed = cookies.filter((cookie) => cookie !== undefined);
  if (signed.length < sessions.length / 2) {
    throw new Error(`only ${signed.length} of ${sessions.length} sessions were reissued`);
  }
  return { cookies: signed, sessions: next };
}

/**
 * The hot path with EdDSA and ES256 access tokens against HS256 and GET /api/health (on the
 * HS256 server), side by side: one fresh production server per algorithm (over
 * `dataDirs[alg]`, a copy of the embedded database made right after sign-up, or
 * `env.DATABASE_URL`), each session given a token each server signed, then `rounds` rounds
 * of the four variants, the order rotating round by round. Tokens are verified once and then
 * served from the verified-token cache, so the figures should agree: the cached path does
 * not depend on the algorithm.
 */
export async function hotBySigningAlgorithm(options: {
  kind: "pglite" | "postgres";
  /**
   * The session cookies: as of the copies (PGlite), or as last rotated (PostgreSQL: each
   * server's reissue may rotate them, so the next server gets the newest).
   */
  sessions: readonly string[];
  env: Record<string, string>;
  dataDirs?: Partial<Record<Algorithm, string>>;
  rounds: number;
  seconds: number;
  connections: number;
  log: (line: string) => void;
}): Promise<SigningAlgsResult> {
  const { rounds, seconds, connections, log } = options;
  const servers: RunningServer[] = [];
  type Target = { server: RunningServer; url: string; cookies?: string[] };
  const targets = {} as Record<Variant, Target>;
  try {
    let sessions = options.sessions;
    for (const algorithm of SIGNING_ALGORITHMS) {
      const keys: Record<string, string> =
        algorithm === "HS256"
          ? {}
          : { AUTH_SIGNING_KEYS: JSON.stringify([await generateSigningKey(algorithm)]) };
      const dataDir = options.dataDirs?.[algorithm];
      const server = await startServer(
        { ...options.env, AUTH_SIGNING_ALG: algorithm, ...keys },
        dataDir ? { dataDir } : {},
      );
      servers.push(server);
      const signed = await tokensFrom(server, sessions);
      if (!dataDir) sessions = signed.sessions;
      const url = `${server.url}/api/auth/session`;
      targets[algorithm] = { server, url, cookies: signed.cookies };
      if (algorithm === "HS256") targets.bare = { server, url: `${server.url}/api/health` };
    }
    const load = (variant: Variant) => {
      const { server, url, cookies } = targets[variant];
      return runLoadOn(server, { url, connections, seconds, ...(cookies ? { cookies } : {}) });
    };
    for (const variant of VARIANTS) await load(variant);
    const samples: Record<Variant, Sample>[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]!);
      const sample = {} as Record<Variant, Sample>;
      for (const variant of order) sample[variant] = await load(variant);
      samples.push(sample);
      log(
        `[${options.kind}] signing algorithms, round ${round + 1}/${rounds}: ` +
          VARIANTS.map((v) => {
            const { rps, serverCpuUs, non2xx, errors } = sample[v];
            const cpu = serverCpuUs === undefined ? "?" : serverCpuUs.toFixed(0);
            const bad = non2xx + errors > 0 ? ` (${non2xx + errors} non-2xx/errors)` : "";
            return `${v} ${rps.toFixed(0)} req/s ${cpu} µs${bad}`;
          }).join(",  "),
      );
    }
    const ratio = (a: Variant, b: Variant) => median(samples.map((s) => s[a].rps / s[b].rps));
    return {
      rps: Object.fromEntries(
        VARIANTS.map((v) => [v, median(samples.map((s) => s[v].rps))]),
      ) as Record<Variant, number>,
      ratios: {
        hs256OverBare: ratio("HS256", "bare"),
        eddsaOverBare: ratio("EdDSA", "bare"),
        es256OverBare: ratio("ES256", "bare"),
        eddsaOverHs256: ratio("EdDSA", "HS256"),
        es256OverHs256: ratio("ES256", "HS256"),
      },
      rounds: samples,
    };
  } finally {
    for (const server of servers) await server.stop().catch(() => {});
  }
}
