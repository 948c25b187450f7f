import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";
import { MIN_SECRET_BYTES } from "@hybrid-auth/auth";
import { parseSigningConfig, type SigningConfig } from "./signing-keys-config.js";

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const DAY = 24 * 60 * 60;

/** The environment the server reads. Nothing else in the code base touches `process.env`. */
const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /**
   * `postgres://…` of a direct connection (no pooler) for LISTEN, when DATABASE_URL goes
   * through a pooler in transaction mode: LISTEN needs a session of its own.
   */
  DATABASE_LISTEN_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  /**
   * `transaction`: DATABASE_URL goes through a pooler in transaction mode (PgBouncer
   * `pool_mode = transaction`): no named prepared statements, and DATABASE_LISTEN_URL required.
   */
  DATABASE_POOLER: z.enum(["none", "transaction"]).default("none"),
  DATA_DIR: z.string().min(1).default("./.data"),
  AUTH_SECRET: z.string().optional(),
  /** Comma-separated secrets still accepted for verification while rotating keys. */
  AUTH_PREVIOUS_SECRETS: z.string().optional(),
  /**
   * How access tokens are signed: HS256 with AUTH_SECRET (one service), or EdDSA / ES256 with
   * AUTH_SIGNING_KEYS, whose public keys are served at /.well-known/jwks.json.
   */
  AUTH_SIGNING_ALG: z.enum(["HS256", "EdDSA", "ES256"]).default("HS256"),
  /**
   * EdDSA / ES256: a JSON array of private JWKs, or the path of a file holding one; the first
   * signs, the others are previous keys, accepted until their last token expired.
   */
  AUTH_SIGNING_KEYS: z.string().min(1).optional(),
  /** EdDSA / ES256: the key that signs next (a JWK, or a file), published before it signs. */
  AUTH_NEXT_SIGNING_KEY: z.string().min(1).optional(),
  AUTH_ACCESS_TTL: seconds(600),
  AUTH_SESSION_ABSOLUTE_TTL: seconds(30 * DAY),
  AUTH_SESSION_IDLE_TTL: seconds(7 * DAY),
  /**
   * Comma-separated keys (base64 of 32 random bytes: `openssl rand -base64 32`) that encrypt
   * second-factor secrets at rest; the first encrypts, every one decrypts (rotation). Never the
   * AUTH_SECRET. Development generates one in DATA_DIR when unset.
   */
  AUTH_ENCRYPTION_KEYS: z.string().optional(),
  /** Seconds a proof of identity lasts for sensitive actions (step-up). */
  AUTH_REAUTH_MAX_AGE: seconds(600),
  /** The WebAuthn relying-party id passkeys belong to (default: PUBLIC_URL's host name). */
  WEBAUTHN_RP_ID: z.string().min(1).optional(),
  /** The name authenticators show for passkeys. */
  WEBAUTHN_RP_NAME: z.string().min(1).max(64).default("Tidy"),
  /** Set to `false` only to run the production build over plain http on a non-localhost host. */
  AUTH_SECURE_COOKIES: z.enum(["true", "false"]).optional(),
  /** Request bodies larger than this many bytes are refused with 413 before parsing. */
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  LOG_LEVEL: z.enum(["silent", "error", "info"]).default("info"),
  /** `redis://…`: rate-limit counters shared through Redis (else PostgreSQL, else memory). */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL")
    .optional(),
  /** How many reverse proxies in front append to X-Forwarded-For; 0 trusts only the socket. */
  TRUST_PROXY: z.coerce.number().int().min(0).max(10).default(0),
  /** Comma-separated public origins allowed to send state-changing requests (CSRF check). */
  APP_ORIGIN: z.string().optional(),
  /** The public origin that links in mail point to (default: the first APP_ORIGIN). */
  PUBLIC_URL: z.string().optional(),
  /** `smtp://user:pass@host:587` or `smtps://…:465`; without it mail is written to DATA_DIR/mail. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** The sender of every mail. */
  MAIL_FROM: z.string().min(3).default("Tidy <no-reply@localhost>"),
  /** Requests that send mail (reset, verify, email change) per client address per 15 minutes. */
  AUTH_MAIL_REQUESTS_PER_CLIENT: z.coerce.number().int().positive().default(20),
  /** Mail a user when a browser new to their account signs in (they can turn it off). */
  AUTH_NEW_SIGN_IN_ALERTS: z.enum(["true", "false"]).default("true"),
  /** Sign-in attempts per client address per 5 minutes; a successful one does not count. */
  AUTH_SIGN_INS_PER_CLIENT: z.coerce.number().int().positive().default(30),
  /** Sign-ups per client address per 5 minutes. */
  AUTH_SIGN_UPS_PER_CLIENT: z.coerce.number().int().positive().default(30),
  /** Failed sign-ins per account per 15 minutes from browsers that never signed in to it. */
  AUTH_FAILURES_PER_ACCOUNT: z.coerce.number().int().positive().default(10),
  /** Password hashes allowed to wait for a hashing thread; beyond, 503 (default 16 per thread). */
  AUTH_MAX_QUEUED_HASHES: z.coerce.number().int().positive().optional(),
  /** Nice value of the password-hashing threads, 0–19 (Linux; 0 = normal priority). */
  AUTH_HASH_THREAD_NICE: z.coerce.number().int().min(0).max(19).optional(),
  /** A client must send its request headers within this many ms (slowloris). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
  /** …and its whole request, body included, within this many ms. */
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
  /** Open connections per process; more are refused at once. */
  HTTP_MAX_CONNECTIONS: z.coerce.number().int().positive().default(4096),
  /** The most to-dos one account may keep; creating one more answers 409. */
  TODOS_PER_USER_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1000),
  /** Seconds between runs of the data-retention job; 0 leaves it to a CLI or cron job. */
  AUTH_RETENTION_INTERVAL: z.coerce
    .number()
    .int()
    .min(0)
    .max(7 * DAY)
    .default(3600),
  /** Rows the retention job deletes per batch (one short transaction each). */
  AUTH_RETENTION_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(1000),
  /** Days an account's security events (its activity list) are kept. */
  AUTH_SECURITY_EVENTS_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** The newest security events kept per account (at least the 50 the activity list shows). */
  AUTH_SECURITY_EVENTS_PER_ACCOUNT: z.coerce.number().int().min(50).max(1_000_000).default(1000),
  /**
   * Sign-in providers, comma-separated ids (`google,github,corp`); each reads
   * `OIDC_<ID>_CLIENT_ID`, `OIDC_<ID>_CLIENT_SECRET` and, by type, `OIDC_<ID>_ISSUER` or
   * `OIDC_<ID>_TENANT` (see `parseOidcProviders`).
   */
  OIDC_PROVIDERS: z.string().optional(),
  /** Keep the providers' access and refresh tokens, encrypted with AUTH_ENCRYPTION_KEYS. */
  OIDC_KEEP_TOKENS: z.enum(["true", "false"]).default("false"),
  /** Worker processes sharing the port (node:cluster); more than one needs DATABASE_URL. */
  WEB_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(1),
});

export type Config = {
  nodeEnv: "development" | "production" | "test";
  port: number;
  host: string;
  databaseUrl: string | undefined;
  /** A direct connection for LISTEN (DATABASE_LISTEN_URL); unset: LISTEN uses `databaseUrl`. */
  databaseListenUrl: string | undefined;
  /** `transaction`: `databaseUrl` is a transaction-mode pooler (no prepared statements). */
  databasePooler: "none" | "transaction";
  dataDir: string;
  auth: {
    secret: string;
    previousSecrets: string[];
    /** HS256 (with `secret`), or EdDSA / ES256 keys (AUTH_SIGNING_ALG). */
    signing: SigningConfig;
    accessTokenTtlSeconds: number;
    sessionAbsoluteTtlSeconds: number;
    sessionIdleTtlSeconds: number;
    secureCookies: boolean;
    /** Encrypt second-factor secrets at rest; the first encrypts (see AUTH_ENCRYPTION_KEYS). */
    encryptionKeys: string[];
    reauthenticationMaxAgeSeconds: number;
  };
  /**
   * Passkeys: the relying party and the origins ceremonies may run on; `null` turns them off
   * (WebAuthn needs a domain name: an app served on an IP address has none).
   */
  webauthn: { rpId: string; rpName: string; origins: string[] } | null;
  bodyLimitBytes: number;
  logLevel: "silent" | "error" | "info";
  /** Worker processes (node:cluster) when above 1; only with `databaseUrl`. */
  webConcurrency: number;
  redisUrl: string | undefined;
  trustProxyHops: number;
  allowedOrigins: string[];
  limits: {
    signInsPerClient: number;
    signUpsPerClient: number;
    failuresPerAccount: number;
    maxQueuedHashes: number | undefined;
    hashThreadNice: number | undefined;
  };
  http: HttpLimits;
  retention: RetentionConfig;
  todos: TodoLimits;
  mail: MailConfig;
  oidc: OidcConfig;
};

/** The kinds of sign-in provider `OIDC_<ID>_TYPE` names. */
export const OIDC_PROVIDER_TYPES = ["oidc", "google", "microsoft", "github"] as const;

/** One sign-in provider, from `OIDC_<ID>_…`. */
export type OidcProviderSetting = {
  id: string;
  type: (typeof OIDC_PROVIDER_TYPES)[number];
  /** What the button says (default: the preset's brand, or the id). */
  name: string | undefined;
  /** Generic OpenID Connect only: the issuer found by discovery. */
  issuer: string | undefined;
  /** Microsoft only: the Entra tenant (id or domain). */
  tenant: string | undefined;
  clientId: string;
  clientSecret: string;
  scopes: string[] | undefined;
  /** `PUBLIC_URL` + `/api/auth/oidc/<id>/callback`: register it at the provider exactly. */
  redirectUri: string;
};

/** Sign-in providers (OIDC_PROVIDERS); none → no buttons. */
export type OidcConfig = { providers: OidcProviderSetting[]; keepTokens: boolean };

/** Where mail goes and what its links point to. */
export type MailConfig = {
  /** SMTP, or (no `SMTP_URL`, development only) `.eml` files in `DATA_DIR/mail`. */
  transport: { kind: "smtp"; url: string } | { kind: "files"; directory: string };
  from: string;
  /** The origin of every link in a mail, never the request's Host header. */
  publicUrl: string;
  newSignInAlerts: boolean;
  /** Requests that send mail, per client address per 15 minutes. */
  requestsPerClient: number;
};

/** What one account may keep. */
export type TodoLimits = { maxPerUser: number };

/** The data-retention job and what the security-events plugin keeps. */
export type RetentionConfig = {
  /** 0: the server never runs the job (a CLI or cron job calls `auth.retention.runOnce()`). */
  intervalSeconds: number;
  batchSize: number;
  securityEventsDays: number;
  securityEventsPerAccount: number;
};

/** How long a client may take to send a request, and how many connections may be open. */
export type HttpLimits = {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxConnections: number;
};

function parseOrigins(value: string | undefined, problems: string[]): string[] {
  const origins: string[] = [];
  for (const entry of (value ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    try {
      const url = new URL(entry);
      if (url.origin !== entry.replace(/\/$/, "")) throw new Error("not an origin");
      origins.push(url.origin);
    } catch {
      problems.push(`  APP_ORIGIN: "${entry}" is not an origin like https://app.example.com`);
    }
  }
  return origins;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function weakSecretReason(secret: string | undefined): string | undefined {
  if (!secret) return "is not set";
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    return `must be at least ${MIN_SECRET_BYTES} bytes (e.g. \`openssl rand -base64 48\`)`;
  }
  if (new Set(secret).size < 8) return "is too repetitive to be a secret";
  return undefined;
}

/** Development only: a random key made once and kept in the data directory. */
function developmentKey(
  dataDir: string,
  key: { file: string; bytes: number; encoding: BufferEncoding; variable: string },
  warn: (message: string) => void,
): string {
  const file = join(resolve(dataDir), key.file);
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    mkdirSync(resolve(dataDir), { recursive: true });
    const secret = randomBytes(key.bytes).toString(key.encoding);
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    warn(
      `${key.variable} is not set: generated a development key in ${file}. Set ${key.variable} in production.`,
    );
    return secret;
  }
}

const DEVELOPMENT_SECRET = {
  file: "auth-secret",
  bytes: 48,
  encoding: "base64url",
  variable: "AUTH_SECRET",
} as const;
const DEVELOPMENT_ENCRYPTION_KEY = {
  file: "auth-encryption-key",
  bytes: 32,
  encoding: "base64",
  variable: "AUTH_ENCRYPTION_KEYS",
} as const;

/** AUTH_ENCRYPTION_KEYS as a list; each must be the base64 of 32 bytes. */
function parseEncryptionKeys(value: string | undefined, problems: string[]): string[] {
  const keys = (value ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
  for (const key of keys) {
    if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(key) || Buffer.from(key, "base64").length !== 32) {
      problems.push(
        "  AUTH_ENCRYPTION_KEYS: each key must be the base64 of 32 random bytes (openssl rand -base64 32)",
      );
      break;
    }
  }
  return keys;
}

/**
 * Validates the environment once at start. Every problem is reported at once, by name.
 * In production a missing or weak AUTH_SECRET stops start-up.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = (message) => console.warn(`warning: ${message}`),
): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === "production";
  const problems: string[] = [];
  if (e.WEB_CONCURRENCY > 1 && !e.DATABASE_URL) {
    problems.push(
      `  WEB_CONCURRENCY: ${e.WEB_CONCURRENCY} worker processes need a shared PostgreSQL ` +
        "database: set DATABASE_URL, or keep WEB_CONCURRENCY at 1 with embedded PGlite " +
        "(one process only).",
    );
  }
  checkDatabaseUrls(e, problems);
  const allowedOrigins = parseOrigins(e.APP_ORIGIN, problems);
  if (production && !e.SMTP_URL) {
    problems.push(
      "  SMTP_URL: is not set: in production mail must reach people (smtp://user:pass@host:587 " +
        "or smtps://…:465); without it, development writes mail to DATA_DIR/mail.",
    );
  }
  const publicUrl = parsePublicUrl(e.PUBLIC_URL, allowedOrigins[0], e.PORT, problems);
  if (!/@/.test(e.MAIL_FROM)) {
    problems.push('  MAIL_FROM: must name an address, like "Tidy <no-reply@tidy.example>"');
  }
  const encryptionKeys = parseEncryptionKeys(e.AUTH_ENCRYPTION_KEYS, problems);
  if (production && encryptionKeys.length === 0) {
    problems.push(
      "  AUTH_ENCRYPTION_KEYS: is not set: in production second-factor secrets need a key of their own (openssl rand -base64 32)",
    );
  }
  const webauthnOrigins = allowedOrigins.length > 0 ? allowedOrigins : [publicUrl];
  const rpId = e.WEBAUTHN_RP_ID ?? hostOf(publicUrl);
  const passkeysOff = e.WEBAUTHN_RP_ID === undefined && isIpAddress(rpId);
  if (passkeysOff) {
    warn(
      `passkeys are off: WebAuthn needs a domain name and the app's origin is ${publicUrl} ` +
        "(set PUBLIC_URL or APP_ORIGIN to a host name, or WEBAUTHN_RP_ID)",
    );
  }
  const oidcProviders = parseOidcProviders(env, e.OIDC_PROVIDERS, publicUrl, problems);
  const signing = parseSigningConfig(
    {
      algorithm: e.AUTH_SIGNING_ALG,
      keys: e.AUTH_SIGNING_KEYS,
      next: e.AUTH_NEXT_SIGNING_KEY,
      production,
      dataDir: e.DATA_DIR,
    },
    problems,
    warn,
  );
  let secret = e.AUTH_SECRET;
  const problem = weakSecretReason(secret);
  if (problem && (production || secret !== undefined)) problems.push(`  AUTH_SECRET: ${problem}`);
  if (problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n${problems.join("\n")}`);
  }
  secret ??= developmentKey(e.DATA_DIR, DEVELOPMENT_SECRET, warn);
  if (encryptionKeys.length === 0) {
    encryptionKeys.push(developmentKey(e.DATA_DIR, DEVELOPMENT_ENCRYPTION_KEY, warn));
  }
  const previousSecrets = (e.AUTH_PREVIOUS_SECRETS ?? "")
    .split(",")
    .map((value) => value.trim())
    .filter(Boolean);
  for (const previous of previousSecrets) {
    const reason = weakSecretReason(previous);
    if (reason)
      throw new ConfigError(`Invalid configuration:\n  AUTH_PREVIOUS_SECRETS: an entry ${reason}`);
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    databaseListenUrl: e.DATABASE_LISTEN_URL,
    databasePooler: e.DATABASE_POOLER,
    dataDir: e.DATA_DIR,
    auth: {
      secret,
      previousSecrets,
      signing: signing(),
      accessTokenTtlSeconds: e.AUTH_ACCESS_TTL,
      sessionAbsoluteTtlSeconds: e.AUTH_SESSION_ABSOLUTE_TTL,
      sessionIdleTtlSeconds: e.AUTH_SESSION_IDLE_TTL,
      secureCookies: e.AUTH_SECURE_COOKIES ? e.AUTH_SECURE_COOKIES === "true" : production,
      encryptionKeys,
      reauthenticationMaxAgeSeconds: e.AUTH_REAUTH_MAX_AGE,
    },
    webauthn: passkeysOff ? null : { rpId, rpName: e.WEBAUTHN_RP_NAME, origins: webauthnOrigins },
    bodyLimitBytes: e.BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL,
    webConcurrency: e.WEB_CONCURRENCY,
    redisUrl: e.REDIS_URL,
    trustProxyHops: e.TRUST_PROXY,
    allowedOrigins,
    limits: {
      signInsPerClient: e.AUTH_SIGN_INS_PER_CLIENT,
      signUpsPerClient: e.AUTH_SIGN_UPS_PER_CLIENT,
      failuresPerAccount: e.AUTH_FAILURES_PER_ACCOUNT,
      maxQueuedHashes: e.AUTH_MAX_QUEUED_HASHES,
      hashThreadNice: e.AUTH_HASH_THREAD_NICE,
    },
    http: {
      headersTimeoutMs: e.HTTP_HEADERS_TIMEOUT_MS,
      requestTimeoutMs: Math.max(e.HTTP_REQUEST_TIMEOUT_MS, e.HTTP_HEADERS_TIMEOUT_MS),
      maxConnections: e.HTTP_MAX_CONNECTIONS,
    },
    retention: {
      intervalSeconds: e.AUTH_RETENTION_INTERVAL,
      batchSize: e.AUTH_RETENTION_BATCH_SIZE,
      securityEventsDays: e.AUTH_SECURITY_EVENTS_DAYS,
      securityEventsPerAccount: e.AUTH_SECURITY_EVENTS_PER_ACCOUNT,
    },
    todos: { maxPerUser: e.TODOS_PER_USER_MAX },
    mail: {
      transport: e.SMTP_URL
        ? { kind: "smtp", url: e.SMTP_URL }
        : { kind: "files", directory: join(resolve(e.DATA_DIR), "mail") },
      from: e.MAIL_FROM,
      publicUrl,
      newSignInAlerts: e.AUTH_NEW_SIGN_IN_ALERTS === "true",
      requestsPerClient: e.AUTH_MAIL_REQUESTS_PER_CLIENT,
    },
    oidc: { providers: oidcProviders, keepTokens: e.OIDC_KEEP_TOKENS === "true" },
  };
}

/** DATABASE_LISTEN_URL and DATABASE_POOLER only make sense with DATABASE_URL, and together. */
function checkDatabaseUrls(
  e: Pick<
    z.infer<typeof environmentSchema>,
    "DATABASE_URL" | "DATABASE_LISTEN_URL" | "DATABASE_POOLER"
  >,
  problems: string[],
): void {
  if (!e.DATABASE_URL) {
    if (e.DATABASE_LISTEN_URL) {
      problems.push(
        "  DATABASE_LISTEN_URL: only means something with DATABASE_URL (embedded PGlite " +
          "listens to nobody): set DATABASE_URL too, or unset DATABASE_LISTEN_URL.",
      );
    }
    if (e.DATABASE_POOLER !== "none") {
      problems.push(
        `  DATABASE_POOLER: "${e.DATABASE_POOLER}" describes DATABASE_URL, which is not set.`,
      );
    }
    return;
  }
  if (e.DATABASE_POOLER === "transaction" && !e.DATABASE_LISTEN_URL) {
    problems.push(
      "  DATABASE_LISTEN_URL: is not set, and DATABASE_POOLER=transaction: LISTEN through a " +
        "pooler in transaction mode hears nothing, so revocations would not reach the other " +
        "processes. Set it to a direct connection to the same database (postgres://…:5432/…, " +
        "not the pooler's port).",
    );
  }
  if (e.DATABASE_LISTEN_URL && e.DATABASE_LISTEN_URL === e.DATABASE_URL) {
    problems.push(
      "  DATABASE_LISTEN_URL: is DATABASE_URL itself: it is for a direct connection past the " +
        "pooler; unset it when DATABASE_URL is direct.",
    );
  }
}

const OIDC_ID = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * `OIDC_PROVIDERS=google,corp` and, for each id (upper-cased, `-` → `_`):
 * `OIDC_<ID>_CLIENT_ID`, `OIDC_<ID>_CLIENT_SECRET` (required); `OIDC_<ID>_TYPE` (`google`,
 * `microsoft`, `github` or `oidc`; default: the id when it names a preset, else `oidc`);
 * `OIDC_<ID>_ISSUER` (required for `oidc`), `OIDC_<ID>_TENANT` (required for `microsoft`),
 * `OIDC_<ID>_NAME`, `OIDC_<ID>_SCOPES` (space- or comma-separated). Every problem is reported.
 */
function parseOidcProviders(
  env: Record<string, string | undefined>,
  list: string | undefined,
  publicUrl: string,
  problems: string[],
): OidcProviderSetting[] {
  const ids = (list ?? "")
    .split(",")
    .map((id) => id.trim())
    .filter(Boolean);
  const providers: OidcProviderSetting[] = [];
  for (const id of ids) {
    if (!OIDC_ID.test(id)) {
      problems.push(`  OIDC_PROVIDERS: "${id}" must be lower-case letters, digits and "-" (1–32)`);
      continue;
    }
    if (providers.some((p) => p.id === id)) {
      problems.push(`  OIDC_PROVIDERS: "${id}" is listed twice`);
      continue;
    }
    const prefix = `OIDC_${id.toUpperCase().replace(/-/g, "_")}_`;
    const read = (key: string) => env[prefix + key]?.trim() || undefined;
    const required = (key: string, what: string) => {
      const value = read(key);
      if (value === undefined) problems.push(`  ${prefix}${key}: is not set (${what})`);
      return value ?? "";
    };
    const presetNamed = (OIDC_PROVIDER_TYPES as readonly string[]).includes(id);
    const typeValue = read("TYPE") ?? (presetNamed ? id : "oidc");
    if (!(OIDC_PROVIDER_TYPES as readonly string[]).includes(typeValue)) {
      problems.push(
        `  ${prefix}TYPE: must be one of ${OIDC_PROVIDER_TYPES.join(", ")} ("${typeValue}")`,
      );
      continue;
    }
    const type = typeValue as OidcProviderSetting["type"];
    const clientId = required("CLIENT_ID", "the client id the provider gave this app");
    const clientSecret = required("CLIENT_SECRET", "the client secret the provider gave this app");
    const issuer =
      type === "oidc"
        ? required("ISSUER", "the issuer URL, like https://sso.example.com")
        : undefined;
    if (issuer) {
      try {
        const url = new URL(issuer);
        const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
        if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback))
          throw new Error("https");
      } catch {
        problems.push(
          `  ${prefix}ISSUER: "${issuer}" is not an https URL (http only on localhost)`,
        );
      }
    }
    const tenant =
      type === "microsoft" ? required("TENANT", "the Entra tenant id or domain") : undefined;
    if (tenant && ["common", "organizations", "consumers"].includes(tenant.toLowerCase())) {
      problems.push(
        `  ${prefix}TENANT: must be one tenant (its id or domain), not "${tenant}": the ID token's issuer names the tenant`,
      );
    }
    const name = read("NAME");
    if (name !== undefined && name.length > 40)
      problems.push(`  ${prefix}NAME: at most 40 characters`);
    const scopes = read("SCOPES")
      ?.split(/[\s,]+/)
      .filter(Boolean);
    providers.push({
      id,
      type,
      name,
      issuer,
      tenant,
      clientId,
      clientSecret,
      scopes,
      redirectUri: `${publicUrl}/api/auth/oidc/${id}/callback`,
    });
  }
  return providers;
}

/** An IPv4 or IPv6 literal, as `URL#hostname` spells them. */
function isIpAddress(host: string): boolean {
  return isIP(host.replace(/^\[|\]$/g, "")) !== 0;
}

/** The host name of an origin (`https://app.example.com` → `app.example.com`). */
function hostOf(origin: string): string {
  try {
    return new URL(origin).hostname;
  } catch {
    return "localhost";
  }
}

/** PUBLIC_URL's origin; else the first APP_ORIGIN; else this server on localhost. */
function parsePublicUrl(
  value: string | undefined,
  firstAppOrigin: string | undefined,
  port: number,
  problems: string[],
): string {
  if (value === undefined) return firstAppOrigin ?? `http://localhost:${port}`;
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http(s)");
    return url.origin;
  } catch {
    problems.push(`  PUBLIC_URL: "${value}" is not an origin like https://app.example.com`);
    return "";
  }
}
