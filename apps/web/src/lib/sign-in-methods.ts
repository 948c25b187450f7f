/**
 * How a session signed in, from its `signInMethods` (`["password"]`, `["password", "totp"]`,
 * `["passkey"]`, …) as the devices page says it. Unknown methods show by their name.
 */
const NAMES: Record<string, string> = {
  password: "Password",
  totp: "authenticator app",
  recovery_code: "recovery code",
  passkey: "passkey",
};

export function describeSignInMethods(methods: readonly string[] | undefined): string | undefined {
  if (!methods || methods.length === 0) return undefined;
  const [first, ...rest] = methods.map((method) => NAMES[method] ?? method.replace(/_/g, " "));
  const lead = first!.charAt(0).toUpperCase() + first!.slice(1);
  return [lead, ...rest].join(" + ");
}
