import { webcrypto } from "node:crypto";
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey as JoseCryptoKey,
  type JWK,
} from "jose";
import type { KeyRing } from "./key-ring.js";

/** The asymmetric families access tokens can be signed with. */
export const ASYMMETRIC_ALGORITHMS = ["EdDSA", "ES256"] as const;
export type AsymmetricAlgorithm = (typeof ASYMMETRIC_ALGORITHMS)[number];

/**
 * Asymmetric access-token keys (the `signingKeys` option), as JWKs (RFC 7517). Only the
 * `current` key needs its private half; the others may be public JWKs (a private one is
 * reduced to its public half). Every `kid` is the key's RFC 7638 thumbprint.
 */
export type SigningKeysOption = {
  /** `EdDSA` (Ed25519 keys: `kty: "OKP", crv: "Ed25519"`) or `ES256` (P-256 EC keys). */
  algorithm: AsymmetricAlgorithm;
  /** The private key new access tokens are signed with. */
  current: JWK;
  /**
   * Keys that signed earlier tokens: still accepted and published until the last token
   * they signed has expired (one access-token lifetime after they stopped signing).
   */
  previous?: readonly JWK[] | undefined;
  /**
   * The key that will sign next: published in the JWKS (and accepted) before it signs, so
   * every resource server already has it when it starts to (see docs/decisions/030).
   */
  next?: JWK | undefined;
};

/** The key type each algorithm allows: nothing else is imported for it. */
const FAMILY: Record<AsymmetricAlgorithm, { kty: string; crv: string; coordinates: string[] }> = {
  EdDSA: { kty: "OKP", crv: "Ed25519", coordinates: ["x"] },
  ES256: { kty: "EC", crv: "P-256", coordinates: ["x", "y"] },
};

/** base64url of 32 bytes: every coordinate and private scalar of Ed25519 and P-256. */
const B64URL_32 = /^[A-Za-z0-9_-]{43}$/;

/**
 * What is wrong with one key of the `signingKeys` option, or `undefined`; synchronous, for
 * `validateAuthOptions`. The thumbprint and the key pair's consistency are checked when the
 * keys are imported (`importSigningKeys`).
 */
export function signingJwkProblem(
  algorithm: AsymmetricAlgorithm,
  jwk: unknown,
  needsPrivate: boolean,
): string | undefined {
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    return "must be a JWK object";
  }
  const key = jwk as Record<string, unknown>;
  const family = FAMILY[algorithm];
  if (key["kty"] !== family.kty || key["crv"] !== family.crv) {
    return `must be a ${algorithm} key: kty "${family.kty}", crv "${family.crv}" (got ${String(key["kty"])}/${String(key["crv"])})`;
  }
  for (const name of family.coordinates) {
    if (typeof key[name] !== "string" || !B64URL_32.test(key[name])) {
      return `\`${name}\` must be the base64url of 32 bytes`;
    }
  }
  if (needsPrivate && key["d"] === undefined) {
    return "must be a private key (with `d`): it signs the tokens";
  }
  if (key["d"] !== undefined && (typeof key["d"] !== "string" || !B64URL_32.test(key["d"]))) {
    return "`d` must be the base64url of 32 bytes";
  }
  if (key["alg"] !== undefined && key["alg"] !== algorithm) {
    return `has \`alg: ${String(key["alg"])}\`, not the configured ${algorithm}`;
  }
  if (key["use"] !== undefined && key["use"] !== "sig") return 'has a `use` other than "sig"';
  if (key["kid"] !== undefined && typeof key["kid"] !== "string") return "`kid` must be a string";
  return undefined;
}

/** The JWK members that make the key, nothing else (no `key_ops`, `ext`, `x5u`…). */
function bareJwk(algorithm: AsymmetricAlgorithm, jwk: JWK, withPrivate: boolean): JWK {
  const { kty, crv, coordinates } = FAMILY[algorithm];
  const bare: Record<string, string> = { kty, crv };
  for (const name of [...coordinates, ...(withPrivate ? ["d"] : [])]) {
    const value = (jwk as Record<string, unknown>)[name];
    if (typeof value === "string") bare[name] = value;
  }
  return bare as JWK;
}

/** A key of the ring that failed to import or to match its `kid`; `where` names it. */
export class SigningKeyError extends Error {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(problem);
  }
}

type Imported = { kid: string; publicKey: webcrypto.CryptoKey; publicJwk: JWK };

async function importPublic(
  algorithm: AsymmetricAlgorithm,
  jwk: JWK,
  where: string,
): Promise<Imported> {
  const bare = bareJwk(algorithm, jwk, false);
  const kid = await calculateJwkThumbprint(bare, "sha256");
  if (jwk.kid !== undefined && jwk.kid !== kid) {
    throw new SigningKeyError(
      where,
      `its kid "${jwk.kid}" is not the key's RFC 7638 thumbprint (${kid}): drop it or use that`,
    );
  }
  try {
    const publicKey = (await importJWK(bare, algorithm)) as JoseCryptoKey;
    return {
      kid,
      publicKey: publicKey as webcrypto.CryptoKey,
      publicJwk: { ...bare, kid, alg: algorithm, use: "sig" },
    };
  } catch (error) {
    throw new SigningKeyError(where, `is not a valid ${algorithm} public key (${String(error)})`);
  }
}

/** Signs and verifies a probe: a private `d` that does not belong to `x`/`y` is refused. */
async function importPrivate(
  algorithm: AsymmetricAlgorithm,
  jwk: JWK,
  publicKey: webcrypto.CryptoKey,
): Promise<webcrypto.CryptoKey> {
  let privateKey: webcrypto.CryptoKey;
  try {
    privateKey = (await importJWK(bareJwk(algorithm, jwk, true), algorithm)) as webcrypto.CryptoKey;
  } catch (error) {
    throw new SigningKeyError(
      "current",
      `is not a valid ${algorithm} private key (${String(error)})`,
    );
  }
  const params = algorithm === "ES256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "Ed25519" };
  const probe = new TextEncoder().encode("hybrid-auth signing-key probe");
  const signature = await webcrypto.subtle.sign(params, privateKey, probe);
  if (!(await webcrypto.subtle.verify(params, publicKey, signature, probe))) {
    throw new SigningKeyError("current", "its private part `d` does not belong to its public key");
  }
  return privateKey;
}

/**
 * The key ring of asymmetric access-token keys: the current key signs, and the current, next
 * and previous ones verify and are published. Call once, at start.
 *
 * @example
 * const ring = await importSigningKeys({ algorithm: "EdDSA", current: privateJwk });
 * ring.publicJwks; // [{ kty: "OKP", crv: "Ed25519", x: "…", kid: "…", alg: "EdDSA", use: "sig" }]
 */
export async function importSigningKeys(option: SigningKeysOption): Promise<KeyRing> {
  const { algorithm } = option;
  const current = await importPublic(algorithm, option.current, "current");
  const privateKey = await importPrivate(algorithm, option.current, current.publicKey);
  const others: { where: string; jwk: JWK }[] = [
    ...(option.next ? [{ where: "next", jwk: option.next }] : []),
    ...(option.previous ?? []).map((jwk, index) => ({ where: `previous[${index}]`, jwk })),
  ];
  const byKid = new Map([[current.kid, current.publicKey]]);
  const publicJwks = [current.publicJwk];
  for (const { where, jwk } of others) {
    const imported = await importPublic(algorithm, jwk, where);
    if (byKid.has(imported.kid)) {
      throw new SigningKeyError(where, `is the same key as another one (kid ${imported.kid})`);
    }
    byKid.set(imported.kid, imported.publicKey);
    publicJwks.push(imported.publicJwk);
  }
  return { algorithm, current: { kid: current.kid, key: privateKey }, byKid, publicJwks };
}

/**
 * A new private signing key as a JWK, its `kid` the RFC 7638 thumbprint: for a development
 * set-up, a test, or a key-generation script (keep the output secret).
 *
 * @example
 * const next = await generateSigningKey("EdDSA");
 * console.log(JSON.stringify(next)); // AUTH_NEXT_SIGNING_KEY
 */
export async function generateSigningKey(algorithm: AsymmetricAlgorithm): Promise<JWK> {
  const { privateKey } = await generateKeyPair(algorithm, {
    extractable: true,
    ...(algorithm === "EdDSA" ? { crv: "Ed25519" } : {}),
  });
  const jwk = bareJwk(algorithm, await exportJWK(privateKey), true);
  return { ...jwk, kid: await calculateJwkThumbprint(bareJwk(algorithm, jwk, false), "sha256") };
}
