import type { Db, Tx } from "../db.js";

/** One way a user can prove who they are besides the password, as a plugin offers it. */
export type SecondFactorMethod = {
  /** `"totp"`, `"recovery_code"`, `"passkey"`… */
  name: string;
  /**
   * Having it enrolled means the password alone no longer signs the user in (TOTP: yes; a
   * passkey, which is a sign-in method of its own: no).
   */
  enforced: boolean;
  /** Accepted as a step-up proof (TOTP and passkeys: yes; single-use recovery codes: no). */
  stepUp: boolean;
};

/** What a plugin tells the core about a user's second factors (see `PluginParts.secondFactor`). */
export type SecondFactorProvider = {
  /** The methods this user has enrolled with the plugin now, in order of preference. */
  methods(db: Db | Tx, userId: string): Promise<readonly SecondFactorMethod[]>;
};

/** Every plugin's methods for one user, in plugin order. */
export async function factorsOf(
  providers: readonly SecondFactorProvider[],
  db: Db | Tx,
  userId: string,
): Promise<SecondFactorMethod[]> {
  const methods: SecondFactorMethod[] = [];
  for (const provider of providers) methods.push(...(await provider.methods(db, userId)));
  return methods;
}

/** True when the password alone must not open a session for this user. */
export function requiresSecondStep(methods: readonly SecondFactorMethod[]): boolean {
  return methods.some((method) => method.enforced);
}

/**
 * What a step-up accepts from this user: with an enforced second factor, only the factors
 * that can step up (a password that was phished together with the session proves nothing
 * new); otherwise the password (when the account has one: not one made through an OpenID
 * provider) and any factor that can.
 */
export function stepUpMethodsOf(
  methods: readonly SecondFactorMethod[],
  passwordSet = true,
): string[] {
  const factors = methods.filter((method) => method.stepUp).map((method) => method.name);
  return requiresSecondStep(methods) || !passwordSet ? factors : ["password", ...factors];
}
