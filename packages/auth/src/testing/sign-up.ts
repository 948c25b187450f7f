import { TestClient } from "./test-client.js";

/** A password the default policy accepts (zxcvbn score ≥ 3). */
export const STRONG_PASSWORD = "violet-kettle-harbour-93";

let counter = 0;
/** An email no other test of this process uses. */
export const uniqueEmail = (label = "user") =>
  `${label}-${Date.now().toString(36)}-${(counter += 1)}@example.test`;

/** What {@link signUp} hands back: a signed-in client and who it is. */
export type SignedUp = {
  client: TestClient;
  user: { id: string; email: string };
  email: string;
  password: string;
};

export type SignUpOptions = { email?: string; password?: string; userAgent?: string };

/**
 * Registers a fresh user through `POST <authPath>/register` and returns the signed-in client.
 *
 * @example
 * const { client, user } = await signUp((request) => app.fetch(request));
 * await client.get("/api/notes"); // signed in as `user`
 */
export async function signUp(
  fetch: (request: Request) => Response | Promise<Response>,
  { email = uniqueEmail(), password = STRONG_PASSWORD, userAgent }: SignUpOptions = {},
  authPath = "/api/auth",
): Promise<SignedUp> {
  const client = new TestClient(fetch, userAgent ? { "User-Agent": userAgent } : undefined);
  const response = await client.post(`${authPath}/register`, { email, password });
  if (response.status !== 201) {
    throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  }
  const { user } = (await response.json()) as { user: { id: string; email: string } };
  return { client, user, email, password };
}
