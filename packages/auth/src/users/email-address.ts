import { z } from "zod";

/**
 * An email address as every route and plugin accepts it: trimmed, at most 254 characters, an
 * ASCII address (`z.email()`). Addresses from elsewhere (an OpenID provider's `email` claim)
 * pass the same check before they name or find an account.
 *
 * @example
 * const body = z.strictObject({ email: emailAddress });
 * if (!emailAddress.safeParse(claims.email).success) refuse();
 */
export const emailAddress = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .pipe(z.email("must be a valid email address"));
