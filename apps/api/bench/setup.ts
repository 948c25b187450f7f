/** What the bench scripts share: their command-line flags, database, and signed-up users. */

/** `--name=value` from the command line, or `fallback`. */
export const flag = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

export const BENCH_PASSWORD = "violet-kettle-harbour-93";

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
