import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const STRONG = "a-production-secret-that-is-long-enough-0123456789";
const SMTP_URL = "smtp://mailer:secret@mail.example.com:587";
const KEY = Buffer.alloc(32, 9).toString("base64");
const quiet = () => {};

describe("loadConfig", () => {
  it("reads sign-in providers from OIDC_PROVIDERS and OIDC_<ID>_*, reporting every problem", () => {
    const base = { AUTH_SECRET: STRONG, DATA_DIR: mkdtempSync(join(tmpdir(), "cfg-")) };
    expect(loadConfig(base, quiet).oidc).toEqual({ providers: [], keepTokens: false });
    const config = loadConfig(
      {
        ...base,
        PUBLIC_URL: "https://tidy.example",
        OIDC_PROVIDERS: "google, corp-sso",
        OIDC_GOOGLE_CLIENT_ID: "g-id",
        OIDC_GOOGLE_CLIENT_SECRET: "g-secret",
        OIDC_CORP_SSO_ISSUER: "https://sso.example.com/realms/staff",
        OIDC_CORP_SSO_CLIENT_ID: "tidy",
        OIDC_CORP_SSO_CLIENT_SECRET: "c-secret",
        OIDC_CORP_SSO_NAME: "Corp SSO",
        OIDC_CORP_SSO_SCOPES: "openid email, profile",
        OIDC_KEEP_TOKENS: "true",
      },
      quiet,
    );
    expect(config.oidc).toEqual({
      keepTokens: true,
      providers: [
        {
          id: "google",
          type: "google",
          name: undefined,
          issuer: undefined,
          tenant: undefined,
          clientId: "g-id",
          clientSecret: "g-secret",
          scopes: undefined,
          redirectUri: "https://tidy.example/api/auth/oidc/google/callback",
        },
        {
          id: "corp-sso",
          type: "oidc",
          name: "Corp SSO",
          issuer: "https://sso.example.com/realms/staff",
          tenant: undefined,
          clientId: "tidy",
          clientSecret: "c-secret",
          scopes: ["openid", "email", "profile"],
          redirectUri: "https://tidy.example/api/auth/oidc/corp-sso/callback",
        },
      ],
    });
    let message = "";
    try {
      loadConfig(
        {
          ...base,
          OIDC_PROVIDERS: "corp,microsoft,Bad!,gh",
          OIDC_CORP_ISSUER: "http://sso.example.com",
          OIDC_CORP_CLIENT_ID: "x",
          OIDC_MICROSOFT_CLIENT_ID: "x",
          OIDC_MICROSOFT_CLIENT_SECRET: "y",
          OIDC_MICROSOFT_TENANT: "common",
          OIDC_GH_TYPE: "gitlab",
        },
        quiet,
      );
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      message = (error as Error).message;
    }
    expect(message).toContain("OIDC_CORP_CLIENT_SECRET: is not set");
    expect(message).toContain('OIDC_CORP_ISSUER: "http://sso.example.com" is not an https URL');
    expect(message).toContain("OIDC_MICROSOFT_TENANT: must be one tenant");
    expect(message).toContain('OIDC_PROVIDERS: "Bad!" must be lower-case');
    expect(message).toContain("OIDC_GH_TYPE: must be one of oidc, google, microsoft, github");
  });

  it("refuses production without SMTP_URL, naming it; development writes mail to files", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: STRONG, AUTH_ENCRYPTION_KEYS: KEY };
    expect(() => loadConfig(production, quiet)).toThrow(/SMTP_URL: is not set/);
    expect(loadConfig({ ...production, SMTP_URL }, quiet).mail.transport).toEqual({
      kind: "smtp",
      url: SMTP_URL,
    });
    const dataDir = mkdtempSync(join(tmpdir(), "cfg-"));
    const development = loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: STRONG }, quiet);
    expect(development.mail).toMatchObject({
      transport: { kind: "files", directory: join(dataDir, "mail") },
      publicUrl: "http://localhost:3000",
    });
    expect(() => loadConfig({ SMTP_URL: "http://mail.example.com" }, quiet)).toThrow(/SMTP_URL/);
  });

  it("builds links from PUBLIC_URL, else the first APP_ORIGIN, never from a request", () => {
    const base = { AUTH_SECRET: STRONG };
    expect(
      loadConfig({ ...base, PUBLIC_URL: "https://tidy.example/x" }, quiet).mail.publicUrl,
    ).toBe("https://tidy.example");
    const fromOrigin = loadConfig(
      { ...base, APP_ORIGIN: "https://a.example,https://b.example" },
      quiet,
    );
    expect(fromOrigin.mail.publicUrl).toBe("https://a.example");
    expect(() => loadConfig({ ...base, PUBLIC_URL: "tidy.example" }, quiet)).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ ...base, MAIL_FROM: "nobody" }, quiet)).toThrow(/MAIL_FROM/);
  });

  it("has working defaults for development", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cfg-"));
    const warnings: string[] = [];
    const config = loadConfig({ DATA_DIR: dataDir }, (m) => warnings.push(m));
    expect(config).toMatchObject({ port: 3000, nodeEnv: "development", databaseUrl: undefined });
    expect(config.auth).toMatchObject({ accessTokenTtlSeconds: 600, secureCookies: false });
    expect(warnings.join()).toMatch(/AUTH_SECRET/);
    // The generated key is kept: the next start reuses it.
    expect(readFileSync(join(dataDir, "auth-secret"), "utf8").trim()).toBe(config.auth.secret);
    expect(loadConfig({ DATA_DIR: dataDir }, quiet).auth.secret).toBe(config.auth.secret);
  });

  it("stops production without a strong AUTH_SECRET, naming it", () => {
    expect(() => loadConfig({ NODE_ENV: "production" }, quiet)).toThrow(/AUTH_SECRET: is not set/);
    expect(() => loadConfig({ NODE_ENV: "production", AUTH_SECRET: "short" }, quiet)).toThrow(
      /AUTH_SECRET: must be at least 32 bytes/,
    );
    expect(() =>
      loadConfig({ NODE_ENV: "production", AUTH_SECRET: "a".repeat(40) }, quiet),
    ).toThrow(/AUTH_SECRET: is too repetitive/);
  });

  it("needs AUTH_ENCRYPTION_KEYS in production; development makes one and keeps it", () => {
    const production = { NODE_ENV: "production", AUTH_SECRET: STRONG, SMTP_URL };
    expect(() => loadConfig(production, quiet)).toThrow(/AUTH_ENCRYPTION_KEYS: is not set/);
    expect(() => loadConfig({ ...production, AUTH_ENCRYPTION_KEYS: "c2hvcnQ=" }, quiet)).toThrow(
      /AUTH_ENCRYPTION_KEYS: each key must be the base64 of 32 random bytes/,
    );
    const next = Buffer.alloc(32, 1).toString("base64");
    const rotated = loadConfig({ ...production, AUTH_ENCRYPTION_KEYS: `${next}, ${KEY}` }, quiet);
    expect(rotated.auth.encryptionKeys).toEqual([next, KEY]);
    const dataDir = mkdtempSync(join(tmpdir(), "cfg-"));
    const first = loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: STRONG }, quiet);
    expect(Buffer.from(first.auth.encryptionKeys[0]!, "base64")).toHaveLength(32);
    expect(first.auth.encryptionKeys[0]).not.toBe(STRONG);
    const again = loadConfig({ DATA_DIR: dataDir, AUTH_SECRET: STRONG }, quiet);
    expect(again.auth.encryptionKeys).toEqual(first.auth.encryptionKeys);
  });

  it("takes the passkeys' relying party from PUBLIC_URL unless WEBAUTHN_RP_ID says otherwise", () => {
    const env = { AUTH_SECRET: STRONG, DATA_DIR: mkdtempSync(join(tmpdir(), "cfg-")) };
    const config = loadConfig({ ...env, PUBLIC_URL: "https://app.tidy.example" }, quiet);
    expect(config.webauthn).toEqual({
      rpId: "app.tidy.example",
      rpName: "Tidy",
      origins: ["https://app.tidy.example"],
    });
    const parent = loadConfig(
      { ...env, APP_ORIGIN: "https://app.tidy.example", WEBAUTHN_RP_ID: "tidy.example" },
      quiet,
    );
    expect(parent.webauthn?.rpId).toBe("tidy.example");
    expect(parent.webauthn?.origins).toEqual(["https://app.tidy.example"]);
    // An app served on an IP address has no domain for passkeys: they are off, said once.
    const warnings: string[] = [];
    const onIp = loadConfig({ ...env, APP_ORIGIN: "http://10.0.0.5:3000" }, (message) =>
      warnings.push(message),
    );
    expect(onIp.webauthn).toBeNull();
    expect(warnings.filter((warning) => warning.startsWith("passkeys are off"))).toHaveLength(1);
  });

  it("uses secure cookies in production", () => {
    const config = loadConfig(
      { NODE_ENV: "production", AUTH_SECRET: STRONG, SMTP_URL, AUTH_ENCRYPTION_KEYS: KEY },
      quiet,
    );
    expect(config.auth.secureCookies).toBe(true);
  });

  it("reports every invalid variable at once", () => {
    try {
      loadConfig({ PORT: "http", AUTH_ACCESS_TTL: "-5", DATABASE_URL: "mysql://x" }, quiet);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toMatch(/PORT/);
      expect(message).toMatch(/AUTH_ACCESS_TTL/);
      expect(message).toMatch(/DATABASE_URL/);
    }
  });

  it("runs one process unless WEB_CONCURRENCY asks for more", () => {
    const url = "postgres://localhost/app";
    const env = {
      NODE_ENV: "production",
      AUTH_SECRET: STRONG,
      SMTP_URL,
      AUTH_ENCRYPTION_KEYS: KEY,
    };
    expect(loadConfig(env, quiet).webConcurrency).toBe(1);
    expect(loadConfig({ ...env, DATABASE_URL: url, WEB_CONCURRENCY: "4" }, quiet)).toMatchObject({
      webConcurrency: 4,
      databaseUrl: url,
    });
    expect(() => loadConfig({ ...env, WEB_CONCURRENCY: "0" }, quiet)).toThrow(/WEB_CONCURRENCY/);
    expect(() => loadConfig({ ...env, WEB_CONCURRENCY: "two" }, quiet)).toThrow(/WEB_CONCURRENCY/);
  });

  it("refuses several worker processes on embedded PGlite, naming both variables", () => {
    const env = { NODE_ENV: "production", AUTH_SECRET: STRONG, WEB_CONCURRENCY: "2" };
    expect(() => loadConfig(env, quiet)).toThrow(ConfigError);
    expect(() => loadConfig(env, quiet)).toThrow(/WEB_CONCURRENCY.*DATABASE_URL/s);
    // Reported together with the other problems.
    expect(() => loadConfig({ WEB_CONCURRENCY: "2", NODE_ENV: "production" }, quiet)).toThrow(
      /WEB_CONCURRENCY[\s\S]*AUTH_SECRET: is not set/,
    );
  });

  it("takes a direct LISTEN connection past a transaction-mode pooler, and refuses half a setup", () => {
    const env = {
      NODE_ENV: "production",
      AUTH_SECRET: STRONG,
      SMTP_URL,
      AUTH_ENCRYPTION_KEYS: KEY,
    };
    const pooled = "postgres://app@pgbouncer:6432/app";
    const direct = "postgresql://app@db:5432/app";
    expect(loadConfig({ ...env, DATABASE_URL: pooled }, quiet)).toMatchObject({
      databaseUrl: pooled,
      databaseListenUrl: undefined,
      databasePooler: "none",
    });
    const behindPgBouncer = {
      ...env,
      DATABASE_URL: pooled,
      DATABASE_LISTEN_URL: direct,
      DATABASE_POOLER: "transaction",
    };
    expect(loadConfig(behindPgBouncer, quiet)).toMatchObject({
      databaseUrl: pooled,
      databaseListenUrl: direct,
      databasePooler: "transaction",
    });
    // A pooler in transaction mode without a direct LISTEN connection would lose revocations.
    expect(() => loadConfig({ ...behindPgBouncer, DATABASE_LISTEN_URL: undefined }, quiet)).toThrow(
      /DATABASE_LISTEN_URL: is not set, and DATABASE_POOLER=transaction/,
    );
    // Without DATABASE_URL (embedded PGlite) both mean nothing: refused, not ignored.
    expect(() => loadConfig({ ...behindPgBouncer, DATABASE_URL: undefined }, quiet)).toThrow(
      /DATABASE_LISTEN_URL: only means something with DATABASE_URL[\s\S]*DATABASE_POOLER/,
    );
    expect(() =>
      loadConfig({ ...behindPgBouncer, DATABASE_LISTEN_URL: "mysql://db/app" }, quiet),
    ).toThrow(/DATABASE_LISTEN_URL: must be a postgres:\/\/ or postgresql:\/\/ URL/);
    expect(() => loadConfig({ ...behindPgBouncer, DATABASE_POOLER: "pgbouncer" }, quiet)).toThrow(
      /DATABASE_POOLER/,
    );
    expect(() =>
      loadConfig({ ...env, DATABASE_URL: direct, DATABASE_LISTEN_URL: direct }, quiet),
    ).toThrow(/DATABASE_LISTEN_URL: is DATABASE_URL itself/);
  });

  it("parses proxies, origins, Redis and per-client limits", () => {
    const config = loadConfig(
      {
        AUTH_SECRET: STRONG,
        TRUST_PROXY: "1",
        APP_ORIGIN: "https://app.example.com, https://www.example.com/",
        REDIS_URL: "redis://127.0.0.1:6379",
        AUTH_SIGN_UPS_PER_CLIENT: "500",
        AUTH_MAX_QUEUED_HASHES: "8",
        AUTH_HASH_THREAD_NICE: "0",
      },
      quiet,
    );
    expect(config).toMatchObject({
      trustProxyHops: 1,
      allowedOrigins: ["https://app.example.com", "https://www.example.com"],
      redisUrl: "redis://127.0.0.1:6379",
      limits: {
        signInsPerClient: 30,
        signUpsPerClient: 500,
        failuresPerAccount: 10,
        maxQueuedHashes: 8,
        hashThreadNice: 0,
      },
    });
    expect(() =>
      loadConfig({ AUTH_SECRET: STRONG, AUTH_FAILURES_PER_ACCOUNT: "0" }, quiet),
    ).toThrow(/AUTH_FAILURES_PER_ACCOUNT/);
    expect(() => loadConfig({ AUTH_SECRET: STRONG, AUTH_HASH_THREAD_NICE: "20" }, quiet)).toThrow(
      /AUTH_HASH_THREAD_NICE/,
    );
    expect(() =>
      loadConfig({ AUTH_SECRET: STRONG, APP_ORIGIN: "https://x.test/path" }, quiet),
    ).toThrow(/APP_ORIGIN/);
  });

  it("caps the to-dos per account: 1000 unless TODOS_PER_USER_MAX says otherwise", () => {
    expect(loadConfig({ AUTH_SECRET: STRONG }, quiet).todos).toEqual({ maxPerUser: 1000 });
    expect(loadConfig({ AUTH_SECRET: STRONG, TODOS_PER_USER_MAX: "50" }, quiet).todos).toEqual({
      maxPerUser: 50,
    });
    for (const bad of ["0", "-1", "ten", "2.5", "1000001"]) {
      expect(() => loadConfig({ AUTH_SECRET: STRONG, TODOS_PER_USER_MAX: bad }, quiet)).toThrow(
        /TODOS_PER_USER_MAX/,
      );
    }
  });

  it("configures data retention: hourly, 1000 rows a batch, 90 days and 1000 events per account", () => {
    expect(loadConfig({ AUTH_SECRET: STRONG }, quiet).retention).toEqual({
      intervalSeconds: 3600,
      batchSize: 1000,
      securityEventsDays: 90,
      securityEventsPerAccount: 1000,
    });
    const custom = loadConfig(
      {
        AUTH_SECRET: STRONG,
        AUTH_RETENTION_INTERVAL: "0",
        AUTH_RETENTION_BATCH_SIZE: "200",
        AUTH_SECURITY_EVENTS_DAYS: "30",
        AUTH_SECURITY_EVENTS_PER_ACCOUNT: "100",
      },
      quiet,
    ).retention;
    expect(custom).toEqual({
      intervalSeconds: 0,
      batchSize: 200,
      securityEventsDays: 30,
      securityEventsPerAccount: 100,
    });
    for (const [name, bad] of [
      ["AUTH_RETENTION_INTERVAL", "-1"],
      ["AUTH_RETENTION_BATCH_SIZE", "0"],
      ["AUTH_RETENTION_BATCH_SIZE", "20000"],
      ["AUTH_SECURITY_EVENTS_DAYS", "0"],
      ["AUTH_SECURITY_EVENTS_PER_ACCOUNT", "10"],
    ] as const) {
      expect(() => loadConfig({ AUTH_SECRET: STRONG, [name]: bad }, quiet)).toThrow(name);
    }
  });
});
