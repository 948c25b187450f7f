import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type {
  AccessTokenAlgorithm,
  AsymmetricAlgorithm,
  SigningKeysOption,
} from "@hybrid-auth/auth";

type Jwk = SigningKeysOption["current"];

/** How access tokens are signed (AUTH_SIGNING_ALG, AUTH_SIGNING_KEYS, AUTH_NEXT_SIGNING_KEY). */
export type SigningConfig =
  | { algorithm: "HS256" }
  | {
      algorithm: AsymmetricAlgorithm;
      /** Private JWKs; the first signs, the others are previous keys (verify only). */
      keys: Jwk[];
      /** Published in the JWKS and accepted, not yet signing. */
      next: Jwk | undefined;
    };

/** JSON inline (starts with `[` or `{`), else the path of a file that holds it. */
function readJson(variable: string, value: string, problems: string[]): unknown {
  const trimmed = value.trim();
  let text = trimmed;
  if (!/^[[{]/.test(trimmed)) {
    try {
      text = readFileSync(trimmed, "utf8");
    } catch {
      problems.push(`  ${variable}: is neither JSON nor a readable file ("${trimmed}")`);
      return undefined;
    }
  }
  try {
    return JSON.parse(text);
  } catch {
    // Never echo the value: it holds private keys.
    problems.push(`  ${variable}: is not valid JSON`);
    return undefined;
  }
}

const isObject = (value: unknown): value is Jwk =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Development only: a key pair made once and kept in the data directory, like AUTH_SECRET's. */
function developmentSigningKey(
  dataDir: string,
  algorithm: AsymmetricAlgorithm,
  warn: (message: string) => void,
): Jwk {
  const file = join(resolve(dataDir), `auth-signing-key-${algorithm.toLowerCase()}.json`);
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Jwk;
  } catch {
    mkdirSync(resolve(dataDir), { recursive: true });
    // node:crypto, synchronously: the configuration loads before anything async runs.
    const { privateKey } =
      algorithm === "EdDSA"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = privateKey.export({ format: "jwk" }) as Jwk;
    writeFileSync(file, `${JSON.stringify(jwk)}\n`, { mode: 0o600 });
    warn(
      `AUTH_SIGNING_KEYS is not set: generated a development ${algorithm} key in ${file}. Set AUTH_SIGNING_KEYS in production.`,
    );
    return jwk;
  }
}

/**
 * AUTH_SIGNING_ALG and its keys. The keys' shapes are checked by `createAuth` (which names
 * the key at fault); here: present when needed, JSON, and never set for HS256. Problems are
 * pushed to `problems`; a development key is made only when there are none so far.
 */
export function parseSigningConfig(
  env: {
    algorithm: AccessTokenAlgorithm;
    keys: string | undefined;
    next: string | undefined;
    production: boolean;
    dataDir: string;
  },
  problems: string[],
  warn: (message: string) => void,
): () => SigningConfig {
  const { algorithm } = env;
  if (algorithm === "HS256") {
    for (const [variable, value] of [
      ["AUTH_SIGNING_KEYS", env.keys],
      ["AUTH_NEXT_SIGNING_KEY", env.next],
    ] as const) {
      if (value !== undefined) {
        problems.push(
          `  ${variable}: is set but AUTH_SIGNING_ALG is HS256 (set AUTH_SIGNING_ALG=EdDSA or ES256, or remove it)`,
        );
      }
    }
    return () => ({ algorithm });
  }
  let keys: Jwk[] = [];
  if (env.keys !== undefined) {
    const parsed = readJson("AUTH_SIGNING_KEYS", env.keys, problems);
    const list = isObject(parsed) ? [parsed] : parsed;
    if (Array.isArray(list) && list.length > 0 && list.every(isObject)) keys = list;
    else if (parsed !== undefined) {
      problems.push("  AUTH_SIGNING_KEYS: must be a JSON array of private JWKs (first = signing)");
    }
  } else if (env.production) {
    problems.push(
      `  AUTH_SIGNING_KEYS: is not set: AUTH_SIGNING_ALG=${algorithm} in production needs its private key(s), a JSON array of JWKs or a file holding one (see docs/signing-keys.md)`,
    );
  }
  let next: Jwk | undefined;
  if (env.next !== undefined) {
    const parsed = readJson("AUTH_NEXT_SIGNING_KEY", env.next, problems);
    if (isObject(parsed)) next = parsed;
    else if (parsed !== undefined) problems.push("  AUTH_NEXT_SIGNING_KEY: must be one JWK");
  }
  return () => ({
    algorithm,
    keys: keys.length > 0 ? keys : [developmentSigningKey(env.dataDir, algorithm, warn)],
    next,
  });
}

/**
 * The `signingKeys` option of `createAuth` for a signing configuration (none for HS256).
 *
 * @example
 * createAuth({ db, secret, signingKeys: signingKeysOption(config.auth.signing) });
 */
export function signingKeysOption(signing: SigningConfig): SigningKeysOption | undefined {
  if (signing.algorithm === "HS256") return undefined;
  const [current, ...previous] = signing.keys;
  return { algorithm: signing.algorithm, current: current!, previous, next: signing.next };
}
