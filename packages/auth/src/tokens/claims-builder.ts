import type { ClaimsProvider, ClaimsSubject, ClaimValue } from "../plugins/plugin.js";

/** Claims the core sets or JWT reserves; no plugin may write them. */
export const RESERVED_CLAIMS = new Set([
  "sub",
  "sid",
  "role",
  "iat",
  "exp",
  "auth_time",
  "nbf",
  "iss",
  "aud",
  "jti",
  "typ",
  "kid",
]);

/** Merges the plugins' claims for a token; refuses reserved names and claims set twice. */
export class ClaimsBuilder {
  constructor(private readonly providers: readonly { id: string; claims: ClaimsProvider }[]) {}

  async build(subject: ClaimsSubject): Promise<Record<string, ClaimValue> | undefined> {
    if (this.providers.length === 0) return undefined;
    const merged: Record<string, ClaimValue> = {};
    const owner = new Map<string, string>();
    for (const provider of this.providers) {
      for (const [name, value] of Object.entries(await provider.claims(subject))) {
        if (RESERVED_CLAIMS.has(name) || name === "__proto__") {
          throw new Error(`plugin ${provider.id} may not set the reserved claim "${name}"`);
        }
        const previous = owner.get(name);
        if (previous !== undefined) {
          throw new Error(`plugins ${previous} and ${provider.id} both set the claim "${name}"`);
        }
        owner.set(name, provider.id);
        merged[name] = value;
      }
    }
    return Object.keys(merged).length > 0 ? merged : undefined;
  }
}
