import type { Context } from "hono";
import { z } from "zod";
import { limiterClient } from "../abuse/limiter-client.js";
import { safeText } from "../http/json-body.js";
import type { AuthRuntime } from "../runtime.js";
import { normalizePassword, passwordProblem, personalWords } from "./policy.js";

/**
 * Password checks per client address. Feedback while typing asks once per pause (the SPA waits
 * 300 ms), so a person choosing a password spends a few dozen; the limit only stops a client
 * from using the server's strength estimator (5–70 ms of CPU a check) as a free service.
 */
export const PASSWORD_CHECKS_PER_CLIENT = { points: 120, seconds: 5 * 60 };

/** From this many characters an acceptable password is called strong (`level` 4). */
export const STRONG_PASSWORD_LENGTH = 16;

/** The body of `POST /password/check`. */
export const passwordCheckBody = z.strictObject({
  password: safeText().min(1, "is required").max(4096, "is too long"),
  /**
   * The user's own data the password must not be built from, as sign-up and a password change
   * count it: the email and the name (each split into words, see `personalWords`).
   */
  context: z
    .array(safeText().max(254, "must be at most 254 characters"))
    .max(4, "must have at most 4 entries")
    .optional(),
});

/**
 * The verdict: what `register`, a password change or a reset would say of this password.
 * `level`: 1 wrong length, 2 too easy to guess, 3 acceptable, 4 acceptable and 16+ characters.
 */
export type PasswordCheck =
  { acceptable: true; level: 3 | 4 } | { acceptable: false; level: 1 | 2; problem: string };

/**
 * The handler of `POST /password/check`: the server's own password policy applied to a
 * candidate password, for strength feedback while the user types (a browser would otherwise
 * download the strength estimator's dictionaries, ~750 KB compressed: decision 024). Nothing
 * is stored or logged; the answer is `no-store` (the auth middleware). Counted per client
 * address, 429 past {@link PASSWORD_CHECKS_PER_CLIENT}.
 *
 * @example
 * const check = passwordChecker(runtime);
 * routes.post("/password/check", jsonBody(passwordCheckBody), async (c) =>
 *   c.json(await check(c, c.req.valid("json")), 200),
 * );
 */
export function passwordChecker(
  runtime: Pick<AuthRuntime, "limits" | "passwordPolicy" | "getClientIp">,
) {
  const limit = runtime.limits.limit(
    "password-checks",
    PASSWORD_CHECKS_PER_CLIENT,
    "password checks from this network",
  );
  return async (c: Context, body: z.output<typeof passwordCheckBody>): Promise<PasswordCheck> => {
    await limit.consume(limiterClient(runtime, c));
    const password = normalizePassword(body.password);
    const problem = passwordProblem(
      password,
      runtime.passwordPolicy,
      personalWords(...(body.context ?? [])),
    );
    if (problem)
      return { acceptable: false, level: problem.startsWith("must be") ? 1 : 2, problem };
    return { acceptable: true, level: [...password].length >= STRONG_PASSWORD_LENGTH ? 4 : 3 };
  };
}
