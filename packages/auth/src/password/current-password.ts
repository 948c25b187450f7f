import type { Context } from "hono";
import { limiterClient } from "../abuse/limiter-client.js";
import { validationError } from "../http/problem.js";
import type { AuthRuntime } from "../runtime.js";
import type { UserRow } from "../schema/core-tables.js";
import { invalidPassword } from "../sign-in.js";
import { clientInfo } from "../sessions/client-info.js";
import { normalizePassword, passwordProblem, personalWords } from "./policy.js";

/**
 * Re-authentication for a sensitive action of a signed-in user (password or email change,
 * deleting the account): checks `password` against the stored hash, throttled per account
 * and client like sign-in, so a stolen session is no oracle for guessing the password.
 * Wrong: 422 naming `field.pointer`; too many: 429.
 *
 * @example
 * await verifyCurrentPassword(runtime, c, user, body.password, { pointer: "/password" });
 */
export async function verifyCurrentPassword(
  runtime: Pick<AuthRuntime, "limits" | "hasher" | "getClientIp" | "hooks" | "db">,
  c: Context,
  user: Pick<UserRow, "id" | "passwordHash">,
  password: string,
  field: { pointer: string; message?: string },
): Promise<void> {
  const { limits, hasher } = runtime;
  hasher.assertCapacity(); // shed before any other work
  const account = `user:${user.id}`;
  const client = limiterClient(runtime, c);
  await limits.beforePasswordCheck(client, user.id);
  const valid = await hasher.verify(user.passwordHash, normalizePassword(password));
  if (!valid) {
    await limits.reauthFailed(client, user.id);
    // The owner sees it in their activity: someone with their session tried passwords.
    await runtime.hooks.emit(
      "accountChanged",
      {
        userId: user.id,
        change: "password_check_failed",
        sessionId: (c.get("auth") as { sessionId?: string } | null | undefined)?.sessionId ?? null,
        client: clientInfo(runtime, c),
      },
      runtime.db,
    );
    throw validationError(
      [{ pointer: field.pointer, detail: "is not correct" }],
      field.message ?? "The password is not correct.",
    );
  }
  await limits.recordSuccess(client, account);
}

/**
 * A new password, NFKC-normalised and checked against the policy (the account's email and name
 * count as guessable words): 422 naming `pointer` when it falls short.
 *
 * @example
 * const password = acceptableNewPassword(runtime, body.newPassword, user, "/newPassword");
 * const passwordHash = await runtime.hasher.hash(password);
 */
export function acceptableNewPassword(
  runtime: Pick<AuthRuntime, "passwordPolicy">,
  password: string,
  user: Pick<UserRow, "email" | "name">,
  pointer: string,
): string {
  const normalized = normalizePassword(password);
  const problem = passwordProblem(
    normalized,
    runtime.passwordPolicy,
    personalWords(user.email, user.name),
  );
  if (problem) throw invalidPassword(pointer, problem);
  return normalized;
}
