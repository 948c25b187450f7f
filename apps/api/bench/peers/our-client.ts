/** Our production server as the revocation probe's browsers use it. */
import { BENCH_PASSWORD } from "../setup.js";
import { CookieJar } from "./cookie-jar.js";
import type { RevocationTarget } from "./revocation-latency.js";

/** A state-changing request as a browser sends it from the app's own page. */
async function post(url: string, path: string, body: unknown, jar?: CookieJar): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "Sec-Fetch-Site": "same-origin",
      ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      ...(jar ? { Cookie: jar.header() } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Our server as the revocation probe sees it: A registers, B signs in to the same account and
 * calls `POST /api/auth/logout-others` (Better Auth's `revoke-other-sessions`); A reads
 * `GET /api/auth/session` with its access and session cookies (the hot path).
 *
 * @example
 * await revocationLatency(ourRevocationTarget(product.url), { tries: 9, capMs: 10_000, pollMs: 20 });
 */
export function ourRevocationTarget(url: string): RevocationTarget {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    signInTwice: async (index) => {
      const email = `bench-ours-revoke-${run}-${index}@example.test`;
      const registered = await post(url, "/api/auth/register", { email, password: BENCH_PASSWORD });
      if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
      await registered.arrayBuffer();
      const a = new CookieJar();
      a.update(registered);
      const loggedIn = await post(url, "/api/auth/login", { email, password: BENCH_PASSWORD });
      if (loggedIn.status !== 200) throw new Error(`login: ${loggedIn.status}`);
      await loggedIn.arrayBuffer();
      const b = new CookieJar();
      b.update(loggedIn);
      return { a, b };
    },
    served: async (jar) => {
      const response = await fetch(`${url}/api/auth/session`, {
        headers: { Cookie: jar.header() },
      });
      await response.arrayBuffer();
      jar.update(response);
      return response.status === 200;
    },
    revokeOthers: async (b) => {
      const response = await post(url, "/api/auth/logout-others", undefined, b);
      if (response.status !== 204) throw new Error(`logout-others: ${response.status}`);
      b.update(response);
    },
  };
}
