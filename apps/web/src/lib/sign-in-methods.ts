import { providerNames } from "../api/oidc";

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
  const [first, ...rest] = methods.map(
    (method) => NAMES[method] ?? providerName(method) ?? method.replace(/_/g, " "),
  );
  const lead = first!.charAt(0).toUpperCase() + first!.slice(1);
  return [lead, ...rest].join(" + ");
}

/** `oidc:google` → the provider's configured name ("Google"), else its id capitalised. */
function providerName(method: string): string | undefined {
  if (!method.startsWith("oidc:")) return undefined;
  const id = method.slice("oidc:".length);
  return providerNames.get(id) ?? id.charAt(0).toUpperCase() + id.slice(1);
}
