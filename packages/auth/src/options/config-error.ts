/**
 * A misconfigured `createAuth` (or plugin): thrown at start-up, never at request time, with
 * the option's path in the message.
 *
 * @example
 * try { await createAuth(options) } catch (e) { if (e instanceof AuthConfigError) … }
 */
export class AuthConfigError extends Error {
  override readonly name = "AuthConfigError";

  constructor(
    /** The option at fault, as a path: `secret`, `abuseLimits.maxFailures`, `plugins.notes.x`. */
    readonly option: string,
    problem: string,
  ) {
    super(`Invalid auth option \`${option}\`: ${problem}.`);
  }
}
