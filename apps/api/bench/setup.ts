/** What the bench scripts share: their command-line flags, database, and signed-up users. */

/** `--name=value` from the command line, or `fallback`. */
export const flag = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

export const BENCH_PASSWORD = "violet-kettle-harbour-93";

/**
 * Bench servers must not throttle the bench's own sign-ups and sign-ins, nor refuse the
 * to-dos POST /api/todos keeps adding to one account (the cap's check costs the same below it).
 */
export const BENCH_SERVER_ENV = {
  AUTH_SIGN_INS_PER_CLIENT: "100000000",
  AUTH_SIGN_UPS_PER_CLIENT: "100000000",
  // The flood signs one account in from 16 connections at once, without a device cookie:
  // attempts in flight count against the account (decision 014), so it would mostly measure
  // 429s instead of argon2 at full load.
  AUTH_FAILURES_PER_ACCOUNT: "100000000",
  TODOS_PER_USER_MAX: "1000000",
};

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, DATABASE_URL, else the local server. */
export const benchPostgresUrl =
  process.env.BENCH_DATABASE_URL ??
  process.env.TEST_DATABASE_URL ??
  process.env.DATABASE_URL ??
  "postgres://postgres@127.0.0.1:5432/postgres";

export type SessionCookies = { access: string; session: string };

/** Signs up `count` users over HTTP (six at a time) and keeps each one's two auth cookies. */
export async function signUpMany(
  url: string,
  count: number,
  label: string,
): Promise<SessionCookies[]> {
  const cookies: SessionCookies[] = new Array(count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const response = await fetch(`${url}/api/auth/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          email: `bench-${label}-${i}@example.test`,
          password: BENCH_PASSWORD,
        }),
      });
      if (response.status !== 201) throw new Error(`sign-up: ${response.status}`);
      const pairs = response.headers.getSetCookie().map((header) => header.split(";")[0]!);
      const access = pairs.find((pair) => pair.startsWith("__Host-auth_access="));
      const session = pairs.find((pair) => pair.startsWith("__Host-auth_session="));
      if (!access || !session) throw new Error("sign-up did not set both cookies");
      cookies[i] = { access, session };
    }
  };
  await Promise.all(Array.from({ length: 6 }, worker));
  return cookies;
}
