import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKey } from "@hybrid-auth/auth";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { signingKeysOption } from "./signing-keys-config.js";

const STRONG = "a-production-secret-that-is-long-enough-0123456789";
const production = {
  NODE_ENV: "production",
  AUTH_SECRET: STRONG,
  AUTH_ENCRYPTION_KEYS: Buffer.alloc(32, 9).toString("base64"),
  SMTP_URL: "smtp://mailer:secret@mail.example.com:587",
};
const quiet = () => {};
const dataDir = () => mkdtempSync(join(tmpdir(), "cfg-signing-"));

describe("AUTH_SIGNING_ALG and its keys", () => {
  it("defaults to HS256 with the secret, and refuses keys set for HS256", () => {
    expect(loadConfig({ AUTH_SECRET: STRONG }, quiet).auth.signing).toEqual({ algorithm: "HS256" });
    expect(() => loadConfig({ AUTH_SECRET: STRONG, AUTH_SIGNING_KEYS: "[]" }, quiet)).toThrow(
      /AUTH_SIGNING_KEYS: is set but AUTH_SIGNING_ALG is HS256/,
    );
    expect(() => loadConfig({ AUTH_SECRET: STRONG, AUTH_SIGNING_ALG: "RS256" }, quiet)).toThrow(
      /AUTH_SIGNING_ALG/,
    );
  });

  it("stops production with EdDSA or ES256 and no key, naming it", () => {
    for (const alg of ["EdDSA", "ES256"]) {
      expect(() => loadConfig({ ...production, AUTH_SIGNING_ALG: alg }, quiet)).toThrow(
        new RegExp(`AUTH_SIGNING_KEYS: is not set: AUTH_SIGNING_ALG=${alg} in production`),
      );
    }
  });

  it("reads the keys inline or from a file: the first signs, the others are previous; the next one apart", async () => {
    const [a, b, next] = await Promise.all([
      generateSigningKey("EdDSA"),
      generateSigningKey("EdDSA"),
      generateSigningKey("EdDSA"),
    ]);
    const file = join(dataDir(), "keys.json");
    writeFileSync(file, JSON.stringify([a, b]));
    for (const keys of [JSON.stringify([a, b]), file]) {
      const { signing } = loadConfig(
        {
          ...production,
          AUTH_SIGNING_ALG: "EdDSA",
          AUTH_SIGNING_KEYS: keys,
          AUTH_NEXT_SIGNING_KEY: JSON.stringify(next),
        },
        quiet,
      ).auth;
      expect(signing).toEqual({ algorithm: "EdDSA", keys: [a, b], next });
      expect(signingKeysOption(signing)).toEqual({
        algorithm: "EdDSA",
        current: a,
        previous: [b],
        next,
      });
    }
  });

  it("reports bad JSON without echoing the private keys", () => {
    let message = "";
    try {
      loadConfig(
        {
          ...production,
          AUTH_SIGNING_ALG: "ES256",
          AUTH_SIGNING_KEYS: '[{"d":"SECRET-D"',
          AUTH_NEXT_SIGNING_KEY: "[1]",
        },
        quiet,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("AUTH_SIGNING_KEYS: is not valid JSON");
    expect(message).toContain("AUTH_NEXT_SIGNING_KEY: must be one JWK");
    expect(message).not.toContain("SECRET-D");
    expect(() =>
      loadConfig(
        { ...production, AUTH_SIGNING_ALG: "ES256", AUTH_SIGNING_KEYS: "/no/such/file" },
        quiet,
      ),
    ).toThrow(/AUTH_SIGNING_KEYS: is neither JSON nor a readable file/);
  });

  it("development makes a key per algorithm in DATA_DIR, once, and warns", () => {
    const dir = dataDir();
    const warnings: string[] = [];
    const env = { AUTH_SECRET: STRONG, DATA_DIR: dir };
    for (const [alg, kty, crv] of [
      ["EdDSA", "OKP", "Ed25519"],
      ["ES256", "EC", "P-256"],
    ] as const) {
      const first = loadConfig({ ...env, AUTH_SIGNING_ALG: alg }, (m) => warnings.push(m));
      expect(first.auth.signing).toMatchObject({ algorithm: alg, keys: [{ kty, crv }] });
      const again = loadConfig({ ...env, AUTH_SIGNING_ALG: alg }, quiet);
      expect(again.auth.signing).toEqual(first.auth.signing);
      const file = join(dir, `auth-signing-key-${alg.toLowerCase()}.json`);
      expect(JSON.parse(readFileSync(file, "utf8"))).toHaveProperty("d");
    }
    expect(warnings.filter((w) => w.includes("AUTH_SIGNING_KEYS is not set"))).toHaveLength(2);
  });
});
