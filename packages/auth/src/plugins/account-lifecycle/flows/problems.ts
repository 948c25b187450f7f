import { ProblemError } from "../../../http/problem.js";

/** 400 for a link that is malformed, unknown, used, expired or overtaken by a change. */
export function badLink(what: "verification" | "password reset" | "email change"): ProblemError {
  const next =
    what === "password reset"
      ? "Ask for a new one from the forgot-password page."
      : what === "verification"
        ? "Ask for a new one from your account."
        : "Ask for the change again from your account.";
  return new ProblemError({
    status: 400,
    detail: `This ${what} link is invalid, was already used or has expired. ${next}`,
  });
}
