/** Better Auth over HTTP, as the bench's browsers use it (no Better Auth code in this process). */
import { BENCH_PASSWORD } from "../setup.js";
import { CookieJar } from "./cookie-jar.js";
import type { BetterAuthRoute } from "./better-auth-configs.js";
import type { RevocationTarget } from "./revocation-latency.js";

export const BETTER_AUTH_SESSION_COOKIE = "better-auth.session_token";

/** Where a route reads the session: its get-session endpoint, or the app route behind its middleware. */
export const sessionPath = (route: BetterAuthRoute) =>
  route === "handler" ? "/api/auth/get-session" : "/api/session";

/** A POST as a browser on the page's own origin sends it (Better Auth checks `Origin`). */
async function post(url: string, path: string, body: unknown, jar?: CookieJar): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Origin: url,
      ...(jar ? { Cookie: jar.header() } : {}),
    },
    body: JSON.stringify(body),
  });
}

async function signUp(url: string, email: string): Promise<CookieJar> {
  const response = await post(url, "/api/auth/sign-up/email", {
    email,
    password: BENCH_PASSWORD,
    name: "Bench",
  });
  if (response.status !== 200) throw new Error(`Better Auth sign-up: ${response.status}`);
  await response.arrayBuffer();
  const jar = new CookieJar();
  jar.update(response);
  if (!jar.get(BETTER_AUTH_SESSION_COOKIE)) throw new Error("Better Auth set no session cookie");
  return jar;
}

/**
 * Signs up `count` accounts on the Better Auth server at `url` (six at a time, as
 * `signUpMany` does on ours) and keeps each browser's cookies.
 *
 * @example
 * const jars = await signUpManyOnBetterAuth(server.url, 1000);
 */
export async function signUpManyOnBetterAuth(url: string, count: number): Promise<CookieJar[]> {
  const jars: CookieJar[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      jars[i] = await signUp(url, `bench-ba-${i}@example.test`);
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return jars;
}

/**
 * The `Cookie` headers the bench loads a server with: each session's cookies after one visit to
 * its get-session endpoint, which sets the cookie cache's `session_data` cookie when the cache
 * is on — what a browser holds after a page load. (The middleware route never sets cookies:
 * `auth.api.getSession` called as its docs show does not forward them.)
 *
 * @example
 * const cookies = await primedCookies(server.url, jars); // ["better-auth.session_token=…; better-auth.session_data=…", …]
 */
export async function primedCookies(url: string, jars: readonly CookieJar[]): Promise<string[]> {
  const headers: string[] = new Array(jars.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < jars.length; i = next++) {
      const jar = jars[i]!.clone();
      const response = await fetch(`${url}/api/auth/get-session`, {
        headers: { Cookie: jar.header() },
      });
      const body = await response.text();
      if (response.status !== 200 || body === "null") {
        throw new Error(`Better Auth did not serve a signed-up session (${response.status})`);
      }
      jar.update(response);
      headers[i] = jar.header();
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return headers;
}

/**
 * Better Auth as the revocation probe sees it: A signs up, B signs in to the same account and
 * calls `POST /api/auth/revoke-other-sessions`; A reads its session on `route`'s endpoint.
 */
export function betterAuthRevocationTarget(url: string, route: BetterAuthRoute): RevocationTarget {
  const run = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    signInTwice: async (index) => {
      const email = `bench-ba-revoke-${run}-${index}@example.test`;
      const a = await signUp(url, email);
      const response = await post(url, "/api/auth/sign-in/email", {
        email,
        password: BENCH_PASSWORD,
      });
      if (response.status !== 200) throw new Error(`Better Auth sign-in: ${response.status}`);
      await response.arrayBuffer();
      const b = new CookieJar();
      b.update(response);
      return { a, b };
    },
    served: async (jar) => {
      const response = await fetch(`${url}${sessionPath(route)}`, {
        headers: { Cookie: jar.header() },
      });
      const body = await response.text();
      jar.update(response);
      return response.status === 200 && body !== "null";
    },
    revokeOthers: async (b) => {
      const response = await post(url, "/api/auth/revoke-other-sessions", {}, b);
      if (response.status !== 200) throw new Error(`revoke-other-sessions: ${response.status}`);
      await response.arrayBuffer();
      b.update(response);
    },
  };
}
